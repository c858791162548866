package io.stemflow.localstack;

import java.nio.file.Path;
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
 */
public record LocalStackConfig(Path dataDir, StackPorts ports, int partitions, boolean fresh, boolean pipeline) {

    public static final int DEFAULT_PARTITIONS = 6;

    public LocalStackConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(ports, "ports");
        if (partitions < 1 || partitions > 1000) {
            throw new IllegalArgumentException("partitions must be between 1 and 1000, was " + partitions);
        }
    }

    public Path stackFile() {
        return dataDir.resolve("stack.json");
    }
}
