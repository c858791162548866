package io.stemflow.registry;

import io.javalin.Javalin;
import io.stemflow.http.JsonErrors;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.http.RegistryRoutes;
import io.stemflow.registry.state.RegistryService;
import io.stemflow.registry.store.InMemorySchemaStore;
import io.stemflow.registry.store.KafkaSchemaStore;
import io.stemflow.registry.store.SchemaStore;
import io.stemflow.service.LoopbackUrl;
import java.net.URI;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Schema Registry speaking the Confluent REST API (AVRO only), embedded in this JVM.
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(RegistryConfig.kafka(bootstrap))) {
 *     URI url = registry.url(); // http://127.0.0.1:PORT
 * }
 * }</pre>
 *
 * <p>{@link #start} returns once the whole log was replayed and the HTTP server listens.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    private final Javalin server;
    private final SchemaStore store;
    private final URI url;
    private boolean closed;

    private EmbeddedSchemaRegistry(final Javalin server, final SchemaStore store, final String host) {
        this.server = server;
        this.store = store;
        this.url = LoopbackUrl.url("http", host, server.port());
    }

    /**
     * Opens the store, replays its log and starts the HTTP server.
     *
     * @throws io.stemflow.registry.store.StoreException when the store cannot be opened or read in time
     */
    public static EmbeddedSchemaRegistry start(final RegistryConfig config) {
        Objects.requireNonNull(config, "config");
        final SchemaStore store = config.store() == RegistryConfig.Store.KAFKA
                ? KafkaSchemaStore.open(config.kafkaStoreConfig())
                : new InMemorySchemaStore();
        try {
            final RegistryService registry = RegistryService.load(store, config.defaultCompatibility());
            final Javalin server = Javalin.create(javalin -> {
                javalin.startup.showJavalinBanner = false;
                javalin.startup.showOldJavalinVersionWarning = false;
                javalin.jetty.host = config.host();
                javalin.jetty.port = config.port();
                JsonErrors.install(javalin);
                RegistryRoutes.addTo(javalin.routes, registry, config.access(),
                        RegistryRoutes.httpAccess(config.host(), config.allowedHosts()), config.hardDelete());
            }).start();
            final EmbeddedSchemaRegistry started = new EmbeddedSchemaRegistry(server, store, config.host());
            LOG.info("Schema registry listening on {} with {}; {}; permanent deletes {}", started.url,
                    store.describe(), describe(config.access()), config.hardDelete() ? "allowed" : "refused");
            if (config.access() instanceof RegistryAccess.Off) {
                LOG.warn("Schema registry on {} has no authentication: anyone who reaches it can register schemas, "
                        + "change compatibility and delete subjects", started.url);
            }
            return started;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static String describe(final RegistryAccess access) {
        if (access instanceof RegistryAccess.Basic basic) {
            return "HTTP basic for " + basic.users() + ", reads " + (basic.openReads() ? "open" : "for readers");
        }
        return "no authentication";
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8081}. */
    public URI url() {
        return url;
    }

    public int port() {
        return server.port();
    }

    /** Stops the HTTP server and releases the store. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.stop();
        } finally {
            store.close();
        }
        LOG.info("Schema registry on {} stopped", url);
    }
}
