package io.stemflow.kafka.embedded;

import io.stemflow.service.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one KRaft node (combined broker and controller) as a child JVM ({@link BrokerMain}) on this JVM's
 * classpath: a single-node cluster, or node {@code nodeId} of a {@link KafkaClusterProcesses} cluster.
 *
 * <p>Layout of its directory ({@code dataDir} of a single node, {@code dataDir/node-<id>} in a cluster): {@code cluster.id} (kept so a restart joins the same cluster),
 * {@code server.properties} (rewritten at every start), {@code data/} (the log dirs and KRaft
 * metadata) and {@code broker.log} (the child's output, appended).
 *
 * <p>No JVM shutdown hook of its own: the child stops itself (a clean Kafka shutdown) as soon as
 * this JVM is gone, since it watches its stdin and the parent pid ({@link BrokerMain}). A hook here
 * would run concurrently with an embedder's own ordered shutdown and stop the broker under clients
 * that are still closing (the local stack's Ctrl-C did exactly that).
 *
 * <p>Readiness is real: {@link #start} returns only when {@code Admin.describeCluster} lists the
 * node. If the child dies while starting, the error carries the tail of its log.
 */
final class KafkaBrokerProcess implements EmbeddedKafka {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String CLASSPATH_PROPERTY = "stemflow.kafka.classpath";

    private final EmbeddedKafkaConfig config;
    private final Node node;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final String voters;
    private final int clusterSize;
    private Process process;

    /**
     * One node of a cluster.
     *
     * @param id             its {@code node.id}, 1 to the cluster's size
     * @param dir            its own directory (server.properties, data/, broker.log)
     * @param port           its client listener's port
     * @param controllerPort its controller listener's port
     */
    record Node(int id, Path dir, int port, int controllerPort) {

        String voter() {
            return id + "@127.0.0.1:" + controllerPort;
        }
    }

    private KafkaBrokerProcess(final EmbeddedKafkaConfig config, final Node node, final String voters,
                               final String clusterId, final int clusterSize) {
        this.config = config;
        this.node = node;
        this.port = node.port();
        this.controllerPort = node.controllerPort();
        this.clusterId = clusterId;
        this.voters = voters;
        this.clusterSize = clusterSize;
    }

    /** A node of a cluster of {@code clusterSize}, not started yet ({@link #spawn}, then {@link #awaitReady}). */
    static KafkaBrokerProcess node(final EmbeddedKafkaConfig config, final Node node, final String voters,
                                   final String clusterId, final int clusterSize) {
        return new KafkaBrokerProcess(config, node, voters, clusterId, clusterSize);
    }

    static KafkaBrokerProcess start(final EmbeddedKafkaConfig config) {
        final int port = config.port() == 0 ? freePort() : config.port();
        final int controllerPort = config.controllerPort() == 0 ? freePort(port) : config.controllerPort();
        final Node node = new Node(1, config.dataDir(), port, controllerPort);
        final KafkaBrokerProcess broker = new KafkaBrokerProcess(config, node, node.voter(),
                clusterId(config.dataDir()), 1);
        try {
            broker.launch();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public Path dataDir() {
        return node.dir();
    }

    int nodeId() {
        return node.id();
    }

    @Override
    public synchronized long pid(final int nodeId) {
        requireNode(nodeId);
        return pid();
    }

    @Override
    public void killBroker(final int nodeId) {
        requireNode(nodeId);
        kill();
    }

    @Override
    public synchronized void restartBroker(final int nodeId) {
        requireNode(nodeId);
        if (isRunning()) {
            throw new IllegalStateException("broker " + nodeId + " at " + bootstrapServers() + " is running");
        }
        process = null;
        launch();
    }

    /** SIGKILL, as a crash would: no controlled shutdown; returns once the process is gone. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        final Process p = process;
        p.destroyForcibly();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("broker " + node.id() + " (pid " + p.pid() + ") survived SIGKILL for "
                        + STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while killing broker " + node.id(), e);
        }
        LOG.info("Broker {} ({}) killed", node.id(), bootstrapServers());
    }

    private void requireNode(final int nodeId) {
        if (nodeId != node.id()) {
            throw new IllegalArgumentException("no broker with node id " + nodeId + " here; this is node " + node.id());
        }
    }

    @Override
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    @Override
    public synchronized CompletableFuture<Integer> onExit() {
        if (process == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the broker is not running"));
        }
        return process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        final Process p = process;
        process = null;
        p.destroy(); // SIGTERM: Kafka's shutdown hook runs a controlled shutdown
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Broker {} did not stop within {}; killing it", bootstrapServers(), STOP_TIMEOUT);
                p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LOG.info("Broker {} stopped", bootstrapServers());
    }

    @Override
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
        if (config.deleteOnClose()) {
            deleteRecursively(config.dataDir());
        }
    }

    private synchronized void launch() {
        spawn();
        awaitReady();
    }

    /** Starts the process without waiting: a cluster's nodes must all run before any of them can be ready. */
    synchronized void spawn() {
        final Path dataDir = node.dir();
        final Path propsFile = dataDir.resolve("server.properties");
        final Path logFile = dataDir.resolve("broker.log");
        try {
            OwnerOnly.directory(dataDir);
            Files.createDirectories(dataDir.resolve("data"));
            writeProperties(propsFile);
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xms64m");
            command.add("-Xmx" + config.maxHeap());
            command.add("-XX:+ExitOnOutOfMemoryError");
            command.add("-Djava.awt.headless=true");
            command.add("-Dlog4j2.configurationFile=stemflow-broker-log4j2.xml");
            // the child writes its own output to broker.log, rotated by size (BrokerMain): a broker running for
            // weeks never fills the disk, and its last words are kept even when this process is gone
            command.add("-D" + BrokerMain.LOG_FILE_PROPERTY + "=" + logFile.toAbsolutePath());
            command.add("-cp");
            command.add(System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path")));
            command.add(BrokerMain.class.getName());
            command.add(propsFile.toString());
            command.add(clusterId);
            command.add(Long.toString(ProcessHandle.current().pid()));
            // A session of its own: a Ctrl-C to the embedder's process group must not stop the broker
            // before the embedder's clients; the embedder stops it last (or it stops when the embedder is gone).
            final ProcessBuilder builder = new ProcessBuilder(OwnSession.command(command))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            // stdin stays a pipe that this JVM never closes: when this JVM dies, the child reads EOF and exits.
            builder.redirectInput(ProcessBuilder.Redirect.PIPE);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded broker in " + dataDir, e);
        }
    }

    /** Returns once this node answers {@code Admin.describeCluster} with our cluster id and lists itself. */
    synchronized void awaitReady() {
        final Path logFile = node.dir().resolve("broker.log");
        awaitReadyOrFail(logFile);
        LOG.info("Broker {} ready at {} (data in {})", node.id(), bootstrapServers(), node.dir());
    }

    private void awaitReadyOrFail(final Path logFile) {
        final Instant deadline = Instant.now().plus(config.startTimeout());
        awaitPortOpen(logFile, deadline); // keeps the admin client from logging refused connections
        final Properties props = new Properties();
        if (config.security() != null) {
            props.putAll(config.security().plainClient(config.security().brokerUser()));
        }
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        try (Admin admin = Admin.create(props)) {
            while (true) {
                failIfDead(logFile);
                try {
                    // Our cluster id, not just any broker on that port: a stale broker must not pass for ours.
                    final var cluster = admin.describeCluster();
                    if (clusterId.equals(cluster.clusterId().get(3, TimeUnit.SECONDS))
                            && cluster.nodes().get(3, TimeUnit.SECONDS).stream().anyMatch(n -> n.id() == node.id())) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException notYet) {
                    // not answering yet
                }
                failIfLate(logFile, deadline);
                process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if the child dies
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded broker", e);
        }
    }

    private void awaitPortOpen(final Path logFile, final Instant deadline) {
        while (true) {
            failIfDead(logFile);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                failIfLate(logFile, deadline);
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if the child dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the embedded broker", e);
            }
        }
    }

    private void failIfDead(final Path logFile) {
        if (!process.isAlive()) {
            throw new IllegalStateException("Embedded broker exited with code " + process.exitValue()
                    + " while starting; last lines of " + logFile + ":\n" + tail(logFile));
        }
    }

    private void failIfLate(final Path logFile, final Instant deadline) {
        if (Instant.now().isAfter(deadline)) {
            stop();
            throw new IllegalStateException("Embedded broker at " + bootstrapServers()
                    + " was not ready within " + config.startTimeout() + "; last lines of " + logFile
                    + ":\n" + tail(logFile));
        }
    }

    private void writeProperties(final Path file) throws IOException {
        final Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(node.id()));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", node.dir().resolve("data").toAbsolutePath().toString());
        // Every internal topic must be satisfiable by the nodes there are, or groups and transactions stall:
        // one node, one replica; three or more, three replicas of which two must acknowledge (ReplicationDefaults).
        final ReplicationDefaults replication = ReplicationDefaults.forBrokers(clusterSize);
        final String rf = Short.toString(replication.replicationFactor());
        final String minIsr = Integer.toString(replication.minInSyncReplicas());
        p.put("offsets.topic.replication.factor", rf);
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "10");
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "3");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        if (config.security() != null) {
            p.putAll(config.security().brokerProperties(port, controllerPort));
        }
        for (final Map.Entry<String, String> e : config.overrides().entrySet()) {
            p.put(e.getKey(), e.getValue());
        }
        // owner-only: with security on it holds the PLAIN users' passwords and the stores' passwords
        final java.io.StringWriter text = new java.io.StringWriter();
        p.store(text, "written by stemflow's embedded broker at every start");
        OwnerOnly.writeString(file, text.toString());
    }

    static String clusterId(final Path dataDir) {
        final Path file = dataDir.resolve("cluster.id");
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            final String id = Uuid.randomUuid().toString();
            Files.writeString(file, id, StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the cluster id in " + dataDir, e);
        }
    }

    static int freePort(final int... avoid) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                final int candidate = socket.getLocalPort();
                if (java.util.Arrays.stream(avoid).noneMatch(a -> a == candidate)) {
                    return candidate;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot find a free port on loopback", e);
            }
        }
        throw new IllegalStateException("Cannot find a free port on loopback");
    }

    private static String tail(final Path logFile) {
        try {
            final List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    static void deleteRecursively(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.debug("Cannot delete {}", path, e);
                }
            });
        } catch (IOException e) {
            LOG.warn("Cannot delete the temporary broker directory {}", dir, e);
        }
    }
}
