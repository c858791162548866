package io.stemflow.kafka.embedded;

import io.stemflow.service.OwnerOnly;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft cluster of {@link EmbeddedKafkaConfig#brokers()} nodes, each a combined broker and controller in a
 * process of its own ({@link KafkaBrokerProcess}): node ids 1 to N, one cluster id (in {@code dataDir/cluster.id}),
 * the static voter list of all N controllers, node {@code i}'s data, {@code server.properties} and
 * {@code broker.log} in {@code dataDir/node-i}. Replication follows {@link ReplicationDefaults}.
 *
 * <p>Ports are fixed for the cluster's life, so a node killed and restarted ({@link #killBroker},
 * {@link #restartBroker}) rejoins on the same ports and the voter list stays true; on given base ports node
 * {@code i} takes {@code port + 2(i-1)} and {@code controllerPort + 2(i-1)}.
 *
 * <p>Start: every node is spawned before any is awaited, since no node is ready before a majority of the
 * controllers has formed the quorum.
 */
final class KafkaClusterProcesses implements EmbeddedKafka {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterProcesses.class);

    private final EmbeddedKafkaConfig config;
    private final List<KafkaBrokerProcess> nodes;

    private KafkaClusterProcesses(final EmbeddedKafkaConfig config, final List<KafkaBrokerProcess> nodes) {
        this.config = config;
        this.nodes = List.copyOf(nodes);
    }

    static KafkaClusterProcesses start(final EmbeddedKafkaConfig config) {
        OwnerOnly.directory(config.dataDir());
        final String clusterId = KafkaBrokerProcess.clusterId(config.dataDir());
        final int count = config.brokers();
        final List<KafkaBrokerProcess.Node> layout = new ArrayList<>();
        final List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (config.port() != 0) {
                taken.add(config.port() + 2 * i);
            }
            if (config.controllerPort() != 0) {
                taken.add(config.controllerPort() + 2 * i);
            }
        }
        for (int i = 0; i < count; i++) {
            final int port = config.port() != 0 ? config.port() + 2 * i : pick(taken);
            final int controllerPort = config.controllerPort() != 0 ? config.controllerPort() + 2 * i : pick(taken);
            layout.add(new KafkaBrokerProcess.Node(i + 1, config.dataDir().resolve("node-" + (i + 1)), port,
                    controllerPort));
        }
        final String voters = layout.stream().map(KafkaBrokerProcess.Node::voter).collect(Collectors.joining(","));
        final List<KafkaBrokerProcess> nodes = layout.stream()
                .map(node -> KafkaBrokerProcess.node(config, node, voters, clusterId, count)).toList();
        final KafkaClusterProcesses cluster = new KafkaClusterProcesses(config, nodes);
        try {
            nodes.forEach(KafkaBrokerProcess::spawn);
            nodes.forEach(KafkaBrokerProcess::awaitReady);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info("Cluster of {} brokers ready at {} (data in {})", count, cluster.bootstrapServers(), config.dataDir());
        return cluster;
    }

    private static int pick(final List<Integer> taken) {
        final int port = KafkaBrokerProcess.freePort(taken.stream().mapToInt(Integer::intValue).toArray());
        taken.add(port);
        return port;
    }

    @Override
    public String bootstrapServers() {
        return nodes.stream().map(KafkaBrokerProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    @Override
    public int brokers() {
        return nodes.size();
    }

    @Override
    public Path dataDir() {
        return config.dataDir();
    }

    @Override
    public boolean isRunning() {
        return nodes.stream().allMatch(KafkaBrokerProcess::isRunning);
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        final List<CompletableFuture<Integer>> running = nodes.stream().filter(KafkaBrokerProcess::isRunning)
                .map(KafkaBrokerProcess::onExit).toList();
        if (running.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no broker of the cluster is running"));
        }
        final int down = nodes.size() - running.size();
        final int quorum = nodes.size() / 2 + 1;
        final CompletableFuture<Integer> lost = new CompletableFuture<>();
        final AtomicInteger ended = new AtomicInteger(down);
        for (final CompletableFuture<Integer> exit : running) {
            exit.whenComplete((code, error) -> {
                if (nodes.size() - ended.incrementAndGet() < quorum) {
                    lost.complete(code == null ? -1 : code);
                }
            });
        }
        return lost;
    }

    @Override
    public long pid() {
        return nodes.get(0).pid();
    }

    @Override
    public long pid(final int nodeId) {
        return node(nodeId).pid();
    }

    @Override
    public void killBroker(final int nodeId) {
        node(nodeId).kill();
    }

    @Override
    public void restartBroker(final int nodeId) {
        node(nodeId).restartBroker(nodeId);
    }

    /**
     * Stops every node at once (each SIGTERM, then SIGKILL past a bound): one by one, the last nodes' controlled
     * shutdowns would wait for a controller quorum that the first ones took away.
     */
    @Override
    public void stop() {
        final List<Thread> stopping = new ArrayList<>();
        for (final KafkaBrokerProcess node : nodes) {
            final Thread thread = new Thread(node::stop, "stop-broker-" + node.nodeId());
            thread.start();
            stopping.add(thread);
        }
        for (final Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while stopping the cluster", e);
            }
        }
    }

    @Override
    public void restart() {
        stop();
        nodes.forEach(KafkaBrokerProcess::spawn);
        nodes.forEach(KafkaBrokerProcess::awaitReady);
    }

    @Override
    public void close() {
        stop();
        if (config.deleteOnClose()) {
            KafkaBrokerProcess.deleteRecursively(config.dataDir());
        }
    }

    private KafkaBrokerProcess node(final int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("no broker with node id " + nodeId + "; the cluster has nodes 1 to "
                    + nodes.size());
        }
        return nodes.get(nodeId - 1);
    }
}
