package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.gateway.GatewayConfig;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.localstack.ChildProcess;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 17 item 4: a batch through a three-broker cluster (every topic 3 replicas, min.insync.replicas 2) with two
 * pipeline instances, two gateways and two callback bridges; the broker that leads the KRaft quorum is killed with
 * SIGKILL under load and restarted later. Then every job has ended and {@code stemflow audit} (in-process, as
 * {@link AuditCommandTest} runs it) finds every invariant holding: one terminal state per job, stems once, captures
 * once, the ledger balanced. Here in the CLI's tests because the audit is the CLI's.
 *
 * <p>The local stack runs the first pipeline and gateway in its own JVM and the first bridge as a child; the second
 * of each is a child process started here from the stack's own environment for it
 * ({@link LocalStack#environment}). The second gateway gives the provider the second bridge's URL, so both bridges
 * take callbacks (when it is the active one).
 */
@Tag("broker")
final class ThreeBrokerClusterTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final int JOBS = 240;
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dataDir;

    @BeforeAll
    static void showFigures() {
        Configurator.setLevel("stemflow.figures", Level.INFO);
    }

    @Test
    void shouldEndEveryJobOnceAndPassTheAuditWhenABrokerOfThreeIsKilledMidRunAndRestarted() throws Exception {
        // given: a stack on three brokers, the provider's limit raised so the batch runs in about a minute
        final long startedAt = System.nanoTime();
        final LocalStackConfig config = new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true)
                .withBrokers(3)
                .withGateway(Map.of(GatewayConfig.RATE_LIMIT_REQUESTS, "60", GatewayConfig.RATE_LIMIT_WINDOW, "1s"));
        final List<ChildProcess> seconds = new ArrayList<>();
        try (LocalStack stack = LocalStack.start(config)) {
            final long stackReadyAt = System.nanoTime();
            final EmbeddedKafka kafka = stack.kafka().orElseThrow();
            final String bootstrap = stack.info().bootstrapServers();
            assertThat(bootstrap.split(",")).hasSize(3);
            assertThat(stack.info().services()).containsKeys("kafka-broker-1", "kafka-broker-2", "kafka-broker-3");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertEveryTopicReplicatedThreeTimes(admin);
                // and a second bridge, gateway and pipeline, each its own process
                final int bridgePort = freePort();
                final Map<String, String> bridgeEnv = new HashMap<>(stack.environment(LocalStack.BRIDGE_SERVICE));
                bridgeEnv.put("STEMFLOW_BRIDGE_PORT", Integer.toString(bridgePort));
                final URI bridgeUrl = URI.create("http://127.0.0.1:" + bridgePort);
                seconds.add(ChildProcess.start("callback bridge 2", "io.stemflow.bridge.BridgeMain", List.of(),
                        bridgeEnv, dataDir.resolve("logs").resolve("bridge-2.log"), bridgeUrl.resolve("/health/ready"),
                        CHILD_TIMEOUT));
                final int gatewayPort = freePort();
                final Map<String, String> gatewayEnv = new HashMap<>(stack.environment(LocalStack.GATEWAY_SERVICE));
                gatewayEnv.put(GatewayConfig.INSTANCE_ID, "1");
                gatewayEnv.put(GatewayConfig.HTTP_PORT, Integer.toString(gatewayPort));
                gatewayEnv.put(GatewayConfig.BRIDGE_PUBLIC_URL, bridgeUrl.toString());
                seconds.add(ChildProcess.start("gateway 2", "io.stemflow.gateway.GatewayMain", List.of(), gatewayEnv,
                        dataDir.resolve("logs").resolve("gateway-2.log"),
                        URI.create("http://127.0.0.1:" + gatewayPort + "/health"), CHILD_TIMEOUT));
                final int queryPort = freePort();
                final Map<String, String> pipelineEnv = new HashMap<>(stack.environment(LocalStack.PIPELINE_SERVICE));
                pipelineEnv.put("STEMFLOW_STREAMS_STATE_DIR", dataDir.resolve("streams-2").toString());
                pipelineEnv.put("STEMFLOW_QUERY_PORT", Integer.toString(queryPort));
                assertThat(pipelineEnv).containsEntry("STEMFLOW_STREAMS_REPLICATION_FACTOR", "3");
                seconds.add(ChildProcess.start("pipeline 2", "io.stemflow.pipeline.app.PipelineMain", List.of(),
                        pipelineEnv, dataDir.resolve("logs").resolve("pipeline-2.log"),
                        URI.create("http://127.0.0.1:" + queryPort + "/health"), CHILD_TIMEOUT));
                final var emulator = stack.emulator().orElseThrow().control();
                final long secondsReadyAt = System.nanoTime();

                // when: the batch is submitted, and the quorum's leader is killed once a third of it was accepted
                final Path manifest = manifest(dataDir.resolve("cluster.csv"));
                final CliRun submitted = cli("submit", "--manifest", manifest.toString(), "--type", "separate_vocal",
                        "--account", "cluster-acct", "--batch", "cluster", "--no-progress");
                assertThat(submitted.exit()).as(submitted.out() + submitted.err()).isZero();
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                        .until(() -> emulator.counters().tasksAccepted() >= JOBS / 3);
                final int victim = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
                final long acceptedAtKill = emulator.counters().tasksAccepted();
                final long killedAt = System.nanoTime();
                kafka.killBroker(victim);
                // it stays down while another third of the batch is accepted, then comes back
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                        .until(() -> emulator.counters().tasksAccepted() >= 2L * JOBS / 3);
                final long acceptedWhileDown = emulator.counters().tasksAccepted() - acceptedAtKill;
                final long downFor = System.nanoTime() - killedAt;
                stack.restartBroker(victim);

                // then: every job ended, and completed
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                        assertThat(cli("status", "--batch", "cluster").out())
                                .contains(JOBS + " jobs | COMPLETED " + JOBS));
                // the restarted broker caught up: every partition in sync on all three again
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> smallestIsr(admin) == 3);
                // and the audit: one terminal state per job, stems once, captures once, the ledger balanced
                final CliRun audit = cli("audit");
                assertThat(audit.exit()).as(audit.out() + audit.err()).isZero();
                assertThat(audit.out()).contains("Every invariant holds.").doesNotContain("BROKEN")
                        .containsPattern("Audited \\d+ record\\(s\\) of \\d+ topic\\(s\\)[^:]*: "
                                + JOBS + " job\\(s\\), " + JOBS + " attempt\\(s\\)");
                assertThat(stack.problems()).isEmpty();
                assertThat(seconds).noneMatch(child -> child.onExit().isDone());
                FIGURES.info("three brokers: stack ready in {} s, second bridge, gateway and pipeline {} s later; {} jobs;"
                                + " broker {} (quorum leader) killed after {} acceptances, down {} ms while {} more were"
                                + " accepted; the provider accepted {} tasks in all (a job resubmitted after the kill"
                                + " would count twice there; the audit shows each charged once); all ended and audited"
                                + " {} s after the start; audit:\n{}",
                        (stackReadyAt - startedAt) / 1_000_000_000, (secondsReadyAt - stackReadyAt) / 1_000_000_000,
                        JOBS, victim, acceptedAtKill, downFor / 1_000_000, acceptedWhileDown,
                        emulator.counters().tasksAccepted(), (System.nanoTime() - startedAt) / 1_000_000_000,
                        audit.out());
            }
        } finally {
            seconds.forEach(ChildProcess::close);
        }
    }

    /** Every stemflow topic, Streams' internal topics and {@code _schemas}: 3 replicas; ours with min ISR 2. */
    private static void assertEveryTopicReplicatedThreeTimes(final Admin admin) throws Exception {
        final var names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertThat(names).contains("_schemas").anyMatch(n -> n.endsWith("-changelog"));
        final Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames()
                .get(30, TimeUnit.SECONDS);
        assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions())
                .as("replicas of %s", t.name()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3)));
    }

    private static int smallestIsr(final Admin admin) throws Exception {
        final var names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                .flatMap(t -> t.partitions().stream()).map(TopicPartitionInfo::isr).mapToInt(List::size).min()
                .orElse(0);
    }

    private Path manifest(final Path file) throws IOException {
        final StringBuilder csv = new StringBuilder("taskId,audioId\n");
        for (int i = 0; i < JOBS; i++) {
            csv.append("t").append(i).append(",a").append(i).append('\n');
        }
        return Files.writeString(file, csv);
    }


    private CliRun cli(final String... args) {
        return CliRun.on(dataDir.resolve("stack.json"), args);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on loopback", e);
        }
    }
}
