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
 * @param brokers        KRaft nodes (each a combined broker and controller, its own process), 1 to
 *                       {@value #MAX_BROKERS}; with more than one, node {@code i} keeps its data in
 *                       {@code dataDir/node-i} and, on given ports, listens on {@code port + 2(i-1)} and
 *                       {@code controllerPort + 2(i-1)}; replication follows {@link ReplicationDefaults}
 */
public record EmbeddedKafkaConfig(
        Path dataDir,
        int port,
        int controllerPort,
        boolean deleteOnClose,
        Duration startTimeout,
        String maxHeap,
        Map<String, String> overrides,
        BrokerSecurity security,
        int brokers) {

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    public static final String DEFAULT_MAX_HEAP = "768m";
    /** The most brokers a local cluster may have: each is a JVM of its own on one machine. */
    public static final int MAX_BROKERS = 9;

    /** A PLAINTEXT broker. */
    public EmbeddedKafkaConfig(final Path dataDir, final int port, final int controllerPort, final boolean deleteOnClose,
                               final Duration startTimeout, final String maxHeap, final Map<String, String> overrides) {
        this(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, overrides, null, 1);
    }

    /** One broker, PLAINTEXT or with {@code security}. */
    public EmbeddedKafkaConfig(final Path dataDir, final int port, final int controllerPort, final boolean deleteOnClose,
                               final Duration startTimeout, final String maxHeap, final Map<String, String> overrides,
                               final BrokerSecurity security) {
        this(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, overrides, security, 1);
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
        if (brokers < 1 || brokers > MAX_BROKERS) {
            throw new IllegalArgumentException("brokers must be between 1 and " + MAX_BROKERS + ", was " + brokers);
        }
        if (brokers > 1 && security != null) {
            throw new IllegalArgumentException("SASL_SSL (security) is supported on one broker only, not on " + brokers);
        }
        if (brokers > 1 && (port != 0 || controllerPort != 0)) {
            requirePort("port of the last broker", port == 0 ? 0 : port + 2 * (brokers - 1));
            requirePort("controllerPort of the last broker", controllerPort == 0 ? 0 : controllerPort + 2 * (brokers - 1));
            if (port != 0 && controllerPort != 0 && Math.abs(port - controllerPort) % 2 == 0
                    && Math.abs(port - controllerPort) < 2 * brokers) {
                throw new IllegalArgumentException("with " + brokers + " brokers the ports port + 2(i-1) and"
                        + " controllerPort + 2(i-1) overlap; port " + port + " and controllerPort " + controllerPort
                        + " must differ by an odd number or by " + 2 * brokers + " or more");
            }
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
                security, brokers);
    }

    public EmbeddedKafkaConfig withOverrides(final Map<String, String> newOverrides) {
        return new EmbeddedKafkaConfig(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, newOverrides,
                security, brokers);
    }

    /** With SASL_SSL and ACLs ({@code null}: PLAINTEXT). */
    public EmbeddedKafkaConfig withSecurity(final BrokerSecurity newSecurity) {
        return new EmbeddedKafkaConfig(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, overrides,
                newSecurity, brokers);
    }

    /** A cluster of {@code count} brokers (1 to {@value #MAX_BROKERS}). */
    public EmbeddedKafkaConfig withBrokers(final int count) {
        return new EmbeddedKafkaConfig(dataDir, port, controllerPort, deleteOnClose, startTimeout, maxHeap, overrides,
                security, count);
    }

    private static void requirePort(final String name, final int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + value);
        }
    }
}
