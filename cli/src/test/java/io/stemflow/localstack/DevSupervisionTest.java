package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The supervised local stack, as a real {@code stemflow dev} process with the production logging
 * configuration: a bridge killed during a batch is logged and restarted and the batch completes
 * through callbacks; a killed broker stops the stack with exit 1 and a message; a normal run's
 * console carries no Kafka client warning. Broker-backed: real processes.
 */
@Tag("broker")
class DevSupervisionTest {

    /** A console line at WARN or ERROR, whoever logged it (the pattern shows the simple logger name). */
    private static final Pattern WARN_OR_ERROR = Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR) .*$");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldRestartTheBridgeAndCompleteEveryJobThroughCallbacksWhenTheBridgeIsKilledDuringABatch() throws Exception {
        // given a running stack (stemflow dev's topology: a job is reconciled only after 20 min of silence,
        // far beyond this test's deadline, so the reconciler cannot be what completes the jobs)
        final Path dataDir = Files.createTempDirectory("stemflow-dev-bridge");
        try (DevProcess dev = DevProcess.start(dataDir, true, "--no-demo")) {
            dev.awaitRunning();
            final StackInfo info = StackInfo.readFrom(dataDir.resolve("stack.json"));
            final Map<String, Object> serde = info.registry().serdeConfig(); // the stack's registry user: it registers
            final List<String> ids = IntStream.rangeClosed(1, 16).mapToObj(i -> "bridge-kill-" + i).toList();
            final Map<String, List<JobState>> seen = new HashMap<>();
            try (KafkaConsumer<String, JobStatus> statuses = statusConsumer(info, serde)) {
                statuses.subscribe(List.of(TopicNames.STATUS));
                // when a batch is under way (the provider accepted a first job: callbacks are 2-6 s away)
                produce(info, serde, ids);
                await().atMost(Duration.ofMinutes(1)).until(() -> {
                    poll(statuses, seen);
                    return seen.values().stream().anyMatch(states -> states.contains(JobState.SUBMITTED));
                });
                // and the bridge is killed
                final ProcessHandle bridge = dev.child("io.stemflow.bridge.BridgeMain").orElseThrow();
                final long killedAt = System.nanoTime();
                new ProcessBuilder("kill", "-9", Long.toString(bridge.pid())).start().waitFor(10, TimeUnit.SECONDS);

                // then the stack says so at once, and restarts it
                dev.awaitOutput("callback bridge (pid " + bridge.pid() + ") exited with code 137", Duration.ofSeconds(5));
                final Duration noticed = Duration.ofNanos(System.nanoTime() - killedAt);
                assertThat(noticed).isLessThan(Duration.ofSeconds(5));
                assertThat(dev.output()).containsPattern("ERROR SupervisedChild: callback bridge \\(pid " + bridge.pid()
                        + "\\) exited with code 137");
                dev.awaitOutput("callback bridge restarted", Duration.ofSeconds(30));
                final ProcessHandle restarted = dev.child("io.stemflow.bridge.BridgeMain").orElseThrow();
                assertThat(restarted.pid()).isNotEqualTo(bridge.pid());
                assertThat(DevShutdownTest.accepts(new java.net.InetSocketAddress("127.0.0.1",
                        URI.create(info.services().get("bridge")).getPort()))).as("the bridge is back on its port").isTrue();

                // and every job completes through its callback (the provider retries what the dead bridge missed)
                await().atMost(Duration.ofMinutes(3)).until(() -> {
                    poll(statuses, seen);
                    return ids.stream().allMatch(id -> seen.getOrDefault(id, List.of()).contains(JobState.COMPLETED));
                });
            }
            assertThat(seen.values()).as("no job needed the reconciler").noneMatch(s -> s.contains(JobState.RECONCILING));
            final JsonNode counters = JSON.readTree(HTTP.send(HttpRequest.newBuilder(
                    URI.create(info.services().get("provider-emulator-admin") + "/counters"))
                    .header("Authorization", "Bearer " + java.nio.file.Files.readString(java.nio.file.Path.of(info.credentials().get(StackInfo.VIEWER_TOKEN_FILE))).strip()).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(counters.get("callbacksDelivered").asLong()).as("emulator counters %s", counters)
                    .isGreaterThanOrEqualTo(ids.size());
            assertThat(counters.get("callbacksGivenUp").asLong()).as("emulator counters %s", counters).isZero();
        }
    }

    @Test
    void shouldExitNonZeroWithAClearMessageWhenTheBrokerDies() throws Exception {
        // given
        final Path dataDir = Files.createTempDirectory("stemflow-dev-broker");
        try (DevProcess dev = DevProcess.start(dataDir, true, "--no-demo")) {
            dev.awaitRunning();
            final List<ProcessHandle> started = dev.process().descendants().toList();
            final ProcessHandle broker = dev.child("io.stemflow.kafka.embedded.BrokerMain").orElseThrow();

            // when
            new ProcessBuilder("kill", "-9", Long.toString(broker.pid())).start().waitFor(10, TimeUnit.SECONDS);

            // then
            assertThat(dev.process().waitFor(60, TimeUnit.SECONDS)).as("stemflow dev exited; output: %s", dev.output())
                    .isTrue();
            assertThat(dev.process().exitValue()).as(dev.output()).isEqualTo(1);
            assertThat(dev.output()).contains("stemflow: stopping: the Kafka broker (pid " + broker.pid()
                    + ") exited with code 137; the stack cannot run without it", "stemflow: stopped.");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(started).noneMatch(ProcessHandle::isAlive));
            assertThat(dataDir.resolve("stack.json")).doesNotExist();
        }
    }

    @Test
    void shouldShowNoKafkaClientWarningOnTheConsoleWhenTheDemoRunsOnce() throws Exception {
        // given
        final Path dataDir = Files.createTempDirectory("stemflow-dev-once");
        try (DevProcess dev = DevProcess.start(dataDir, false, "--once", "--tracks", "12")) {
            // when
            assertThat(dev.process().waitFor(5, TimeUnit.MINUTES)).isTrue();

            // then
            final String console = dev.output();
            assertThat(dev.process().exitValue()).as(console).isZero();
            assertThat(WARN_OR_ERROR.matcher(console).results().map(r -> r.group()).toList())
                    .as("WARN and ERROR lines on the console").isEmpty();
            assertThat(console).doesNotContain("org.apache.kafka", "NetworkClient", "could not be established")
                    .contains("stemflow: Kafka client and service logs go to " + dev.stackLog().toAbsolutePath());
            // the clients' lines are kept, in the stack log
            assertThat(Files.readString(dev.stackLog())).contains("org.apache.kafka.clients");
        }
    }

    private static KafkaConsumer<String, JobStatus> statusConsumer(final StackInfo info, final Map<String, Object> serde) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, info.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "dev-supervision-test");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(c, new StringDeserializer(),
                AvroSerdes.specific(JobStatus.class, serde, false).deserializer());
    }

    private static void poll(final KafkaConsumer<String, JobStatus> consumer, final Map<String, List<JobState>> seen) {
        consumer.poll(Duration.ofMillis(200)).forEach(r ->
                seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getState()));
    }

    private static void produce(final StackInfo info, final Map<String, Object> serde, final List<String> ids)
            throws Exception {
        try (KafkaProducer<String, SeparationRequest> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, info.bootstrapServers()),
                new StringSerializer(), AvroSerdes.specific(SeparationRequest.class, serde, false).serializer())) {
            for (final String id : ids) {
                producer.send(new ProducerRecord<>(TopicNames.REQUESTS, id, SeparationRequest.newBuilder()
                        .setRequestId(id).setAccountId("acct").setTaskId("t-" + id).setAudioId("a-" + id)
                        .setType(SeparationType.SEPARATE_VOCAL).setRequestedAt(Instant.now()).build()))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }
}
