package io.stemflow.bridge;

import io.stemflow.service.ServiceMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the callback bridge as its own process, configured from the environment (see
 * {@link BridgeConfig#fromEnv} and the module README), with {@link ServiceMain}: exits with 2 and one
 * message naming every bad variable on an invalid configuration (also one found at start, such as
 * an unreadable keystore); stops gracefully on SIGTERM / Ctrl-C.
 */
public final class BridgeMain {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeMain.class);

    private BridgeMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        ServiceMain.run("callback bridge", BridgeConfig::fromEnv, config -> {
            final CallbackBridge bridge = CallbackBridge.start(config);
            LOG.info("Callback bridge ready: the provider POSTs to {}/callbacks/{requestId}?token=...", bridge.url());
            return bridge::close;
        });
    }
}
