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
 * @param security       SASL_SSL with ACLs ({@link BrokerSecurity}), or null for one PLAINTEXT listener
 */
public record EmbeddedKafkaConfig(
        Path dataDir,
        int port,
        int controllerPort,
        boolean deleteOnClose,
        Duration startTimeout,
        String maxHeap,
        Map<String, String> overrides,
        BrokerSecurity security) {

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    public static final String DEFAULT_MAX_HEAP = "768m";

    /** A PLAINTEXT broker. */
    public EmbeddedKafkaConfig(final Path dataDir, final int port, final int controllerPort, final boolean deleteOnClose,
                               final Duration startTimeout, final String maxHeap, final Map<String, String> overrides) {
        this(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, overrides, null);
    }

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
        return new EmbeddedKafkaConfig(dataDir, newPort, newControllerPort, deleteOnClose, startTimeout, maxHeap, overrides,
                security);
    }

    public EmbeddedKafkaConfig withOverrides(final Map<String, String> newOverrides) {
        return new EmbeddedKafkaConfig(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, newOverrides,
                security);
    }

    /** With SASL_SSL and ACLs ({@code null}: PLAINTEXT). */
    public EmbeddedKafkaConfig withSecurity(final BrokerSecurity newSecurity) {
        return new EmbeddedKafkaConfig(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, overrides,
                newSecurity);
    }

    private static void requirePort(final String name, final int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + value);
        }
    }
}
