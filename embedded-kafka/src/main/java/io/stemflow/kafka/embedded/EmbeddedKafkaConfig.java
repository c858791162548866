package io.stemflow.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to run an {@link EmbeddedKafka}.
 *
 * @param dataDir        where the broker keeps its data; survives restarts unless {@code deleteOnClose}
 * @param port           PLAINTEXT port, 0 to pick a free one (kept across {@link EmbeddedKafka#restart()})
 * @param controllerPort KRaft controller port, 0 to pick a free one
 * @param deleteOnClose  delete {@code dataDir} on close (temporary brokers)
 * @param startTimeout   how long to wait for the broker to answer before failing
 * @param maxHeap        the broker JVM's {@code -Xmx}, e.g. {@code 768m}
 * @param overrides      extra broker properties, applied last
 */
public record EmbeddedKafkaConfig(
        Path dataDir,
        int port,
        int controllerPort,
        boolean deleteOnClose,
        Duration startTimeout,
        String maxHeap,
        Map<String, String> overrides) {

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    public static final String DEFAULT_MAX_HEAP = "768m";

    public EmbeddedKafkaConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(maxHeap, "maxHeap");
        overrides = Map.copyOf(Objects.requireNonNull(overrides, "overrides"));
        requirePort("port", port);
        requirePort("controllerPort", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("port and controllerPort must differ, both are " + port);
        }
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
        }
        if (!maxHeap.matches("\\d+[kKmMgG]?")) {
            throw new IllegalArgumentException("maxHeap must look like 768m or 1g, was '" + maxHeap + "'");
        }
    }

    /** A broker on a fresh temporary directory and free ports, deleted on close. */
    public static EmbeddedKafkaConfig temporary() {
        try {
            return new EmbeddedKafkaConfig(Files.createTempDirectory("stemflow-kafka-"), 0, 0, true,
                    DEFAULT_START_TIMEOUT, DEFAULT_MAX_HEAP, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for the embedded broker", e);
        }
    }

    /** A broker whose data survives restarts, on free ports. */
    public static EmbeddedKafkaConfig of(final Path dataDir) {
        return new EmbeddedKafkaConfig(dataDir, 0, 0, false, DEFAULT_START_TIMEOUT, DEFAULT_MAX_HEAP, Map.of());
    }

    public EmbeddedKafkaConfig withPorts(final int newPort, final int newControllerPort) {
        return new EmbeddedKafkaConfig(dataDir, newPort, newControllerPort, deleteOnClose, startTimeout, maxHeap, overrides);
    }

    public EmbeddedKafkaConfig withOverrides(final Map<String, String> newOverrides) {
        return new EmbeddedKafkaConfig(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, newOverrides);
    }

    private static void requirePort(final String name, final int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + value);
        }
    }
}
