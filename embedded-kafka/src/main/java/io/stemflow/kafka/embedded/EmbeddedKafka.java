package io.stemflow.kafka.embedded;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) on loopback, for the
 * local stack and for tests.
 *
 * <p>The only implementation runs the broker as its own JVM process, so that a test can stop
 * and restart it on the same data directory and port (as a crash or an upgrade would), and so
 * that the broker's threads and memory never mix with those of the code under test. The child
 * exits by itself when its parent dies, even by SIGKILL, so no broker is ever orphaned.
 */
public interface EmbeddedKafka extends AutoCloseable {

    /** Starts a broker and returns once it answers {@code Admin.describeCluster}. */
    static EmbeddedKafka start(final EmbeddedKafkaConfig config) {
        return KafkaBrokerProcess.start(config);
    }

    /** {@code host:port} of the client listener (PLAINTEXT, or SASL_SSL when the config has {@link BrokerSecurity}). */
    String bootstrapServers();

    /** The directory holding this broker's logs, metadata and its {@code broker.log}. */
    Path dataDir();

    boolean isRunning();

    /**
     * Completes with the exit code of the running broker process when it ends, whether it was
     * stopped or died (137 when killed by SIGKILL); failed when no broker runs. A later
     * {@link #restart()} runs a new process with a new future.
     */
    CompletableFuture<Integer> onExit();

    /** The broker process id, or -1 when it is not running (tests use it to kill the broker hard). */
    long pid();

    /** Stops the broker gracefully (SIGTERM, then SIGKILL past a bound); the data directory is kept. */
    void stop();

    /** Starts the broker again on the same data directory and ports; returns once it is ready. */
    void restart();

    /** Stops the broker; deletes the data directory when the config says it is temporary. */
    @Override
    void close();
}
