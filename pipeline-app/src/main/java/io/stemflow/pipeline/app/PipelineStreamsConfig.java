package io.stemflow.pipeline.app;

import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryConnection;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How to run the topology, validated once.
 *
 * @param applicationId     Streams application id (consumer group, prefix of internal topics): always explicit
 * @param bootstrapServers  Kafka bootstrap servers
 * @param registryUrl       schema registry URL(s), comma-separated
 * @param stateDir          where RocksDB stores live
 * @param replicationFactor of internal topics (1 on a one-broker cluster)
 * @param threads           stream threads
 * @param applicationServer host:port this instance answers interactive queries on, or null
 * @param extra             further Streams properties, applied last (the Kafka client security's among them)
 * @param rocksDbMemory     bytes of off-heap memory all RocksDB stores of this instance share ({@link RocksDbBudget}),
 *                          or 0 for Kafka Streams' own per-store defaults (unbounded)
 * @param registryAuth      credentials for the schema registry ({@link RegistryConnection#read}), or none
 */
public record PipelineStreamsConfig(String applicationId, String bootstrapServers, String registryUrl, Path stateDir,
                                    int replicationFactor, int threads, String applicationServer,
                                    Map<String, String> extra, long rocksDbMemory, RegistryAuth registryAuth) {

    /**
     * RocksDB memory budget when none is set. With 1,000,000 jobs waiting and a 512 MiB heap the pipeline's RSS
     * was about 590 MiB with it, flat as the backlog grew, against about 925 MiB and growing on Streams' defaults
     * (README's queue figures).
     */
    public static final long DEFAULT_ROCKSDB_MEMORY = 128L << 20;
    /**
     * Smallest budget other than 0. A bare number is bytes, so {@code 128} meant as 128 MiB would otherwise give
     * every store a few bytes of cache and memtable.
     */
    public static final long MIN_ROCKSDB_MEMORY = 16L << 20;

    public PipelineStreamsConfig {
        requireText("stemflow.streams.application-id", applicationId);
        requireText("stemflow.kafka.bootstrap", bootstrapServers);
        requireText("stemflow.schema-registry.url", registryUrl);
        Objects.requireNonNull(stateDir, "stemflow.streams.state-dir");
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("stemflow.streams.replication-factor must be 1 or more, was " + replicationFactor);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("stemflow.streams.threads must be 1 or more, was " + threads);
        }
        if (applicationServer != null && !applicationServer.matches("[^:]+:\\d{1,5}")) {
            throw new IllegalArgumentException("stemflow.streams.application-server must be host:port, was '"
                    + applicationServer + "'");
        }
        if (rocksDbMemory != 0 && rocksDbMemory < MIN_ROCKSDB_MEMORY) {
            throw new IllegalArgumentException("stemflow.streams.rocksdb-memory must be 0 (Streams' defaults) or at least "
                    + MemorySize.format(MIN_ROCKSDB_MEMORY) + ", was " + rocksDbMemory + " bytes");
        }
        extra = Map.copyOf(extra == null ? Map.of() : extra);
        Objects.requireNonNull(registryAuth, "stemflow.schema-registry.auth");
        new RegistryConnection(registryUrl, registryAuth); // the URLs are http(s), credentials not given twice
    }

    /** Without registry credentials. */
    public PipelineStreamsConfig(final String applicationId, final String bootstrapServers, final String registryUrl,
                                 final Path stateDir, final int replicationFactor, final int threads,
                                 final String applicationServer, final Map<String, String> extra,
                                 final long rocksDbMemory) {
        this(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor, threads, applicationServer,
                extra, rocksDbMemory, RegistryAuth.none());
    }

    /** With the {@link #DEFAULT_ROCKSDB_MEMORY default RocksDB memory budget}. */
    public PipelineStreamsConfig(final String applicationId, final String bootstrapServers, final String registryUrl,
                                 final Path stateDir, final int replicationFactor, final int threads,
                                 final String applicationServer, final Map<String, String> extra) {
        this(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor, threads, applicationServer,
                extra, DEFAULT_ROCKSDB_MEMORY, RegistryAuth.none());
    }

    public PipelineStreamsConfig withApplicationServer(final String hostPort) {
        return new PipelineStreamsConfig(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor,
                threads, hostPort, extra, rocksDbMemory, registryAuth);
    }

    public PipelineStreamsConfig withExtra(final Map<String, String> more) {
        final java.util.HashMap<String, String> merged = new java.util.HashMap<>(extra);
        merged.putAll(more);
        return new PipelineStreamsConfig(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor,
                threads, applicationServer, merged, rocksDbMemory, registryAuth);
    }

    /** With {@code bytes} of RocksDB memory for all stores, 0 for Streams' defaults. */
    public PipelineStreamsConfig withRocksDbMemory(final long bytes) {
        return new PipelineStreamsConfig(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor,
                threads, applicationServer, extra, bytes, registryAuth);
    }

    /** With these schema registry credentials. */
    public PipelineStreamsConfig withRegistryAuth(final RegistryAuth auth) {
        return new PipelineStreamsConfig(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor,
                threads, applicationServer, extra, rocksDbMemory, auth);
    }

    /** The schema registry and the credentials to use with it (its URLs without credentials). */
    public RegistryConnection registry() {
        return new RegistryConnection(registryUrl, registryAuth);
    }

    /** Every setting, the extra properties by name only (they may hold Kafka client credentials). */
    @Override
    public String toString() {
        return "PipelineStreamsConfig[applicationId=" + applicationId + ", bootstrapServers=" + bootstrapServers
                + ", stateDir=" + stateDir + ", replicationFactor=" + replicationFactor + ", threads=" + threads
                + ", applicationServer=" + applicationServer + ", extra=" + new java.util.TreeSet<>(extra.keySet())
                + ", rocksDbMemory=" + rocksDbMemory + "]";
    }

    private static void requireText(final String name, final String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
