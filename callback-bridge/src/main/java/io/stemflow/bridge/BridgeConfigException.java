package io.stemflow.bridge;

import java.util.List;

/**
 * The bridge's configuration is invalid. The message lists every problem, each naming the
 * environment variable (never a secret's value), so one start-up attempt shows them all.
 */
public final class BridgeConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public BridgeConfigException(final List<String> problems) {
        super("Invalid callback bridge configuration: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, naming its variable. */
    public List<String> problems() {
        return problems;
    }
}
