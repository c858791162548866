package io.stemflow.kafka.embedded;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A KRaft Kafka cluster on loopback, for the local stack and for tests: one node by default, or
 * {@link EmbeddedKafkaConfig#brokers()} nodes, each a combined broker and controller in a process of
 * its own, with the replication of {@link ReplicationDefaults} (three brokers: every topic three
 * replicas, two in sync for {@code acks=all}; one broker can die and come back without a loss).
 *
 * <p>The only implementation runs the broker as its own JVM process, so that a test can stop
 * and restart it on the same data directory and port (as a crash or an upgrade would), and so
 * that the broker's threads and memory never mix with those of the code under test. The child
 * exits by itself when its parent dies, even by SIGKILL, so no broker is ever orphaned.
 */
public interface EmbeddedKafka extends AutoCloseable {

    /** Starts the broker(s) and returns once every one answers {@code Admin.describeCluster} and lists itself. */
    static EmbeddedKafka start(final EmbeddedKafkaConfig config) {
        return config.brokers() == 1 ? KafkaBrokerProcess.start(config) : KafkaClusterProcesses.start(config);
    }

    /**
     * {@code host:port} of the client listener (PLAINTEXT, or SASL_SSL when the config has {@link BrokerSecurity});
     * of every broker, comma-separated, on a cluster.
     */
    String bootstrapServers();

    /** How many brokers the cluster has (running or not). */
    default int brokers() {
        return 1;
    }

    /** The replication every topic on this cluster should have ({@link ReplicationDefaults}). */
    default ReplicationDefaults replication() {
        return ReplicationDefaults.forBrokers(brokers());
    }

    /** The process id of broker {@code nodeId} (1 to {@link #brokers()}), or -1 when it is not running. */
    long pid(int nodeId);

    /**
     * Kills broker {@code nodeId} with SIGKILL, as a crash would (no controlled shutdown, nothing flushed), and
     * returns once its process is gone. Its data directory and ports are kept for {@link #restartBroker}.
     */
    void killBroker(int nodeId);

    /** Starts broker {@code nodeId} again on its data directory and ports; returns once it is ready. */
    void restartBroker(int nodeId);

    /**
     * The directory holding this broker's logs, metadata and its {@code broker.log}; on a cluster the directory
     * holding each node's ({@code node-1}, {@code node-2}, ...).
     */
    Path dataDir();

    /** Whether the broker runs; on a cluster, whether every broker runs. */
    boolean isRunning();

    /**
     * Completes with the exit code of the running broker process when it ends, whether it was
     * stopped or died (137 when killed by SIGKILL); failed when no broker runs. A later
     * {@link #restart()} runs a new process with a new future. On a cluster: completes when a majority of the
     * brokers running at the call have ended (the cluster has lost its controller quorum), with the exit code
     * of the last of them; one broker of three ending does not complete it.
     */
    CompletableFuture<Integer> onExit();

    /**
     * The broker process id, or -1 when it is not running (tests use it to kill the broker hard); on a cluster,
     * broker 1's ({@link #pid(int)}).
     */
    long pid();

    /**
     * Stops the broker gracefully (SIGTERM, then SIGKILL past a bound); the data directory is kept. On a cluster,
     * every broker at once.
     */
    void stop();

    /** Starts the broker again on the same data directory and ports; returns once it is ready. */
    void restart();

    /** Stops the broker; deletes the data directory when the config says it is temporary. */
    @Override
    void close();
}
