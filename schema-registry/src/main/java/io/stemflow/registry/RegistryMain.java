package io.stemflow.registry;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the registry as its own process, configured from the environment
 * (see {@link RegistryConfig#fromEnvironment}). Stops on SIGTERM / Ctrl-C.
 */
public final class RegistryMain {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryMain.class);

    private RegistryMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final RegistryConfig config = RegistryConfig.fromEnvironment(System.getenv());
        final EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(config);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            stopped.countDown();
        }, "schema-registry-shutdown"));
        LOG.info("Schema registry ready on {} ({} store)", registry.url(), config.store());
        stopped.await();
    }
}
