package io.stemflow.localstack;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the local stack, validated once.
 *
 * @param dataDir      where the broker, the registry topic and stack.json live (default {@code .stemflow})
 * @param kafkaPort    the broker's PLAINTEXT port (0 = any free port)
 * @param controllerPort the KRaft controller port (0 = any free port)
 * @param registryPort the schema registry's HTTP port (0 = any free port)
 * @param partitions   partitions of each stemflow topic
 * @param fresh        wipe {@code dataDir} before starting
 */
public record LocalStackConfig(Path dataDir, int kafkaPort, int controllerPort, int registryPort, int partitions,
                               boolean fresh) {

    public static final int DEFAULT_KAFKA_PORT = 19092;
    public static final int DEFAULT_CONTROLLER_PORT = 19093;
    public static final int DEFAULT_REGISTRY_PORT = 18081;
    public static final int DEFAULT_PARTITIONS = 6;

    public LocalStackConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        port("kafka port", kafkaPort);
        port("controller port", controllerPort);
        port("registry port", registryPort);
        if (partitions < 1 || partitions > 1000) {
            throw new IllegalArgumentException("partitions must be between 1 and 1000, was " + partitions);
        }
        if (kafkaPort != 0 && (kafkaPort == controllerPort || kafkaPort == registryPort)
                || controllerPort != 0 && controllerPort == registryPort) {
            throw new IllegalArgumentException("kafka, controller and registry ports must differ: "
                    + kafkaPort + ", " + controllerPort + ", " + registryPort);
        }
    }

    public Path stackFile() {
        return dataDir.resolve("stack.json");
    }

    private static void port(final String name, final int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + value);
        }
    }
}
