package io.stemflow.localstack;

import io.stemflow.archiver.ArchiverConfig;
import io.stemflow.archiver.store.S3StoreConfig;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.pipeline.topology.TopologyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the local stack, validated once.
 *
 * @param dataDir    where every service keeps its data, and stack.json (default {@code .stemflow})
 * @param ports      the services' ports
 * @param partitions partitions of each stemflow topic when it is created
 * @param fresh      wipe {@code dataDir} before starting
 * @param pipeline   also run the provider emulator, the callback bridge and the pipeline (topology,
 *                   gateway, query API); false runs only the broker, the registry and the topics
 * @param topology   the topology's business settings (credits, timeouts)
 * @param external   a Kafka cluster and schema registry to use instead of the embedded ones, or null
 * @param gateway    extra settings of the gateway ({@code STEMFLOW_PROVIDER_*}, {@code STEMFLOW_GATEWAY_*}), e.g.
 *                   a fast provider window that the emulator is given too
 * @param emulatorSeed the emulator's seed, or null: a random one kept per data directory
 * @param secure     the embedded broker runs SASL_SSL with ACLs, each service as its own principal ({@link SecureKafka})
 * @param brokers    brokers of the embedded KRaft cluster ({@code dev --brokers}), each its own process: 1, or up to
 *                   {@link EmbeddedKafkaConfig#MAX_BROKERS}; every topic then has the cluster's replication
 *                   ({@link io.stemflow.kafka.embedded.ReplicationDefaults}: 3 replicas, 2 in sync from 3 brokers)
 * @param archive       how its archiver keeps the stems: the manifest grace, a bucket instead of the folder
 * @param gatewayProcess the gateway runs as a child process that the stack restarts when it dies (as it does the
 *                   bridge), instead of in the stack's JVM: a chaos run can then kill it, active or not, with SIGKILL.
 *                   Its {@code /health} then lacks the stack's own conditions (bridge, Streams, archiver), which
 *                   {@link LocalStack#problems()} still reports
 */
public record LocalStackConfig(Path dataDir, StackPorts ports, int partitions, boolean fresh, boolean pipeline,
                               TopologyConfig topology, External external, Map<String, String> gateway,
                               Long emulatorSeed, boolean secure, int brokers, Archive archive,
                               boolean gatewayProcess) {

    /**
     * How the stack's archiver keeps the stems.
     *
     * @param manifestGrace how long a batch stays complete before its manifest is written
     * @param s3            an S3-compatible bucket instead of {@code <dataDir>/archive}, or null
     */
    public record Archive(Duration manifestGrace, S3StoreConfig s3) {

        /** The folder under the data directory, the archiver's default grace. */
        public static final Archive DEFAULT = new Archive(ArchiverConfig.DEFAULT_MANIFEST_GRACE, null);

        public Archive {
            Objects.requireNonNull(manifestGrace, "manifestGrace");
        }
    }

    /** Services that already run elsewhere (containers, a shared cluster). */
    public record External(String bootstrapServers, String registryUrl) {

        public External {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(registryUrl, "registryUrl");
        }
    }

    public LocalStackConfig(final Path dataDir, final StackPorts ports, final int partitions, final boolean fresh,
                            final boolean pipeline) {
        this(dataDir, ports, partitions, fresh, pipeline, TopologyConfig.defaults(), null);
    }

    public LocalStackConfig(final Path dataDir, final StackPorts ports, final int partitions, final boolean fresh,
                            final boolean pipeline, final TopologyConfig topology) {
        this(dataDir, ports, partitions, fresh, pipeline, topology, null);
    }

    public LocalStackConfig(final Path dataDir, final StackPorts ports, final int partitions, final boolean fresh,
                            final boolean pipeline, final TopologyConfig topology, final External external) {
        this(dataDir, ports, partitions, fresh, pipeline, topology, external, Map.of(), null, false, 1);
    }

    public LocalStackConfig(final Path dataDir, final StackPorts ports, final int partitions, final boolean fresh,
                            final boolean pipeline, final TopologyConfig topology, final External external,
                            final Map<String, String> gateway, final Long emulatorSeed, final boolean secure) {
        this(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway, emulatorSeed, secure, 1);
    }

    public LocalStackConfig(final Path dataDir, final StackPorts ports, final int partitions, final boolean fresh,
                            final boolean pipeline, final TopologyConfig topology, final External external,
                            final Map<String, String> gateway, final Long emulatorSeed, final boolean secure,
                            final int brokers) {
        this(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway, emulatorSeed, secure, brokers,
                Archive.DEFAULT, false);
    }

    /** With the gateway as a supervised child process instead of in the stack's JVM ({@link #gatewayProcess()}). */
    public LocalStackConfig withGatewayProcess() {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway,
                emulatorSeed, secure, brokers, archive, true);
    }

    /** With the archiver writing a batch's manifest after {@code grace} (tests use a short one). */
    public LocalStackConfig withManifestGrace(final Duration grace) {
        return withArchive(new Archive(grace, archive.s3()));
    }

    /** The archive in this S3-compatible bucket instead of the data directory's folder. */
    public LocalStackConfig withArchiveS3(final S3StoreConfig bucket) {
        return withArchive(new Archive(archive.manifestGrace(), bucket));
    }

    private LocalStackConfig withArchive(final Archive other) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway,
                emulatorSeed, secure, brokers, other, gatewayProcess);
    }

    public LocalStackConfig withExternal(final External services) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, services, gateway, emulatorSeed, secure, brokers, archive, gatewayProcess);
    }

    public LocalStackConfig withGateway(final Map<String, String> settings) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, settings, emulatorSeed, secure, brokers, archive, gatewayProcess);
    }

    /**
     * The emulator's seed ({@code dev --seed}): its task ids, file links and faults repeat run after run. Without
     * one, a seed drawn at random once per data directory (kept owner-only in {@code secrets/emulator-seed}), so
     * nobody can predict task ids or file links.
     */
    public LocalStackConfig withEmulatorSeed(final long seed) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway, seed, secure, brokers, archive, gatewayProcess);
    }

    /** With the embedded broker on SASL_SSL with ACLs ({@code dev --secure}); not with {@link #external()} services. */
    public LocalStackConfig withSecure(final boolean on) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway,
                emulatorSeed, on, brokers, archive, gatewayProcess);
    }

    /**
     * With an embedded cluster of {@code count} brokers ({@code dev --brokers}); not with {@link #external()}
     * services, nor with {@link #secure()} (SASL_SSL runs on one broker only).
     */
    public LocalStackConfig withBrokers(final int count) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway,
                emulatorSeed, secure, count, archive, gatewayProcess);
    }

    public static final int DEFAULT_PARTITIONS = 6;

    public LocalStackConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(topology, "topology");
        gateway = gateway == null ? Map.of() : Map.copyOf(gateway);
        Objects.requireNonNull(archive, "archive");
        if (secure && external != null) {
            throw new IllegalArgumentException("secure applies to the embedded broker; external services bring their own");
        }
        if (brokers < 1 || brokers > EmbeddedKafkaConfig.MAX_BROKERS) {
            throw new IllegalArgumentException("brokers must be between 1 and " + EmbeddedKafkaConfig.MAX_BROKERS
                    + ", was " + brokers);
        }
        if (brokers > 1 && external != null) {
            throw new IllegalArgumentException("brokers applies to the embedded cluster; external services bring their own");
        }
        if (brokers > 1 && secure) {
            throw new IllegalArgumentException("secure (SASL_SSL) runs on one embedded broker only, not on " + brokers);
        }
        if (partitions < 1 || partitions > 1000) {
            throw new IllegalArgumentException("partitions must be between 1 and 1000, was " + partitions);
        }
    }

    public Path stackFile() {
        return dataDir.resolve("stack.json");
    }
}
