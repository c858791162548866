package io.stemflow.bridge;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the callback bridge as its own process, configured from the environment (see
 * {@link BridgeConfig#fromEnv} and the module README). Exits with 2 on an invalid configuration;
 * stops gracefully on SIGTERM / Ctrl-C.
 */
public final class BridgeMain {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeMain.class);
    private static final int CONFIG_ERROR = 2;

    private BridgeMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final BridgeConfig config;
        try {
            config = BridgeConfig.fromEnv(System.getenv());
        } catch (BridgeConfigException e) {
            LOG.error("{}", e.getMessage());
            System.exit(CONFIG_ERROR);
            return;
        }
        final CallbackBridge bridge;
        try {
            bridge = CallbackBridge.start(config);
        } catch (BridgeConfigException e) {
            LOG.error("{}", e.getMessage());
            System.exit(CONFIG_ERROR);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bridge.close();
            stopped.countDown();
        }, "callback-bridge-shutdown"));
        LOG.info("Callback bridge ready: the provider POSTs to {}/callbacks/{requestId}?token=...", bridge.url());
        stopped.await();
    }
}
