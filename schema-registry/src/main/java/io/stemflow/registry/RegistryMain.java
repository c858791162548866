package io.stemflow.registry;

import io.stemflow.service.ServiceMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the registry as its own process with {@link ServiceMain}, configured from the environment
 * (see {@link RegistryConfig#fromEnvironment}): exits 2 with one message naming every bad variable on an invalid
 * configuration; stops on SIGTERM / Ctrl-C.
 */
public final class RegistryMain {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryMain.class);

    private RegistryMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        ServiceMain.run("schema registry", RegistryConfig::fromEnvironment, config -> {
            final EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(config);
            LOG.info("Schema registry ready on {} ({} store)", registry.url(), config.store());
            return registry::close;
        });
    }
}
