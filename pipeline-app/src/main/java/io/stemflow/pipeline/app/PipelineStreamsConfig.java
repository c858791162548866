package io.stemflow.pipeline.app;

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
 * @param extra             further Streams properties, applied last
 */
public record PipelineStreamsConfig(String applicationId, String bootstrapServers, String registryUrl, Path stateDir,
                                    int replicationFactor, int threads, String applicationServer,
                                    Map<String, String> extra) {

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
        extra = Map.copyOf(extra == null ? Map.of() : extra);
    }

    public PipelineStreamsConfig withApplicationServer(final String hostPort) {
        return new PipelineStreamsConfig(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor,
                threads, hostPort, extra);
    }

    public PipelineStreamsConfig withExtra(final Map<String, String> more) {
        final java.util.HashMap<String, String> merged = new java.util.HashMap<>(extra);
        merged.putAll(more);
        return new PipelineStreamsConfig(applicationId, bootstrapServers, registryUrl, stateDir, replicationFactor,
                threads, applicationServer, merged);
    }

    private static void requireText(final String name, final String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
