package io.stemflow.localstack;

import io.stemflow.pipeline.topology.TopologyConfig;
import java.nio.file.Path;
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
 */
public record LocalStackConfig(Path dataDir, StackPorts ports, int partitions, boolean fresh, boolean pipeline,
                               TopologyConfig topology, External external, Map<String, String> gateway,
                               Long emulatorSeed, boolean secure) {

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
        this(dataDir, ports, partitions, fresh, pipeline, topology, external, Map.of(), null, false);
    }

    public LocalStackConfig withExternal(final External services) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, services, gateway, emulatorSeed, secure);
    }

    public LocalStackConfig withGateway(final Map<String, String> settings) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, settings, emulatorSeed, secure);
    }

    /**
     * The emulator's seed ({@code dev --seed}): its task ids, file links and faults repeat run after run. Without
     * one, a seed drawn at random once per data directory (kept owner-only in {@code secrets/emulator-seed}), so
     * nobody can predict task ids or file links.
     */
    public LocalStackConfig withEmulatorSeed(final long seed) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway, seed, secure);
    }

    /** With the embedded broker on SASL_SSL with ACLs ({@code dev --secure}); not with {@link #external()} services. */
    public LocalStackConfig withSecure(final boolean on) {
        return new LocalStackConfig(dataDir, ports, partitions, fresh, pipeline, topology, external, gateway,
                emulatorSeed, on);
    }

    public static final int DEFAULT_PARTITIONS = 6;

    public LocalStackConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(topology, "topology");
        gateway = gateway == null ? Map.of() : Map.copyOf(gateway);
        if (secure && external != null) {
            throw new IllegalArgumentException("secure applies to the embedded broker; external services bring their own");
        }
        if (partitions < 1 || partitions > 1000) {
            throw new IllegalArgumentException("partitions must be between 1 and 1000, was " + partitions);
        }
    }

    public Path stackFile() {
        return dataDir.resolve("stack.json");
    }
}
