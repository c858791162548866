package io.stemflow.bridge;

import io.stemflow.service.SettingsException;
import java.util.List;

/**
 * The bridge's configuration is invalid. The message lists every problem, each naming the
 * environment variable (never a secret's value), so one start-up attempt shows them all.
 */
public final class BridgeConfigException extends SettingsException {

    private static final long serialVersionUID = 1L;

    public BridgeConfigException(final List<String> problems) {
        super("callback bridge", problems);
    }
}
