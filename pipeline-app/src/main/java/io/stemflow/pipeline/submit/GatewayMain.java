package io.stemflow.pipeline.submit;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the provider gateway as its own process, configured by the environment (see {@link GatewayConfig}).
 * SIGTERM stops it cleanly (calls out awaited, done jobs committed). Exit codes: 2 invalid configuration,
 * 1 a loop stopped on a fatal error (e.g. fenced by another instance with the same id).
 */
public final class GatewayMain {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

    private GatewayMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final GatewayConfig config;
        try {
            config = GatewayConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            LOG.error("{}", e.getMessage());
            System.exit(2);
            return;
        }
        final Gateway gateway = Gateway.start(config);
        final AtomicBoolean stopping = new AtomicBoolean();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            gateway.close();
            stopped.countDown();
        }, "stemflow-gateway-shutdown"));
        while (!stopping.get() && gateway.alive()) {
            if (stopped.await(1, TimeUnit.SECONDS)) {
                return;
            }
        }
        if (!stopping.get()) {
            LOG.error("Provider gateway stopped: {}", gateway.failure().orElse("a loop ended"));
            gateway.close();
            System.exit(1);
        }
    }
}
