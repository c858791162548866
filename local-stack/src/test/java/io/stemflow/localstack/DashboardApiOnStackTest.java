package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.gateway.GatewayConfig;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.IOException;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's API on the whole local stack (real broker, registry, pipeline, gateway, emulator, archiver): what
 * it shows equals what the query API answers, its event stream moves with a batch, a viewer may look but not act,
 * and an operator's confirmed cancel ends the batch's waiting jobs. The page itself is driven in a real browser by
 * {@code DashboardBrowserTest}.
 */
@Tag("broker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardApiOnStackTest {

    private static final Duration DEADLINE = Duration.ofMinutes(3);

    private LocalStack stack;
    private Topics topics;
    private KafkaProducer<String, byte[]> producer;
    private String viewer;
    private String operator;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void start(@TempDir final Path dataDir) throws IOException {
        // a provider window of 4 calls a second: a batch of 100 takes half a minute, so some of it always waits
        stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true,
                TopologyConfig.defaults()).withGateway(Map.of(GatewayConfig.RATE_LIMIT_REQUESTS, "4",
                GatewayConfig.RATE_LIMIT_WINDOW, "1s")));
        topics = Topics.create(new RestSchemaRegistryClient(stack.info().registry().clientConfig()), Map.of());
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        viewer = token(StackInfo.VIEWER_TOKEN_FILE);
        operator = token(StackInfo.OPERATOR_TOKEN_FILE);
    }

    @AfterAll
    void stop() {
        if (producer != null) {
            producer.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldServeThePageWithoutATokenUnderAStrictPolicyWhenAnyoneAsks() throws Exception {
        final HttpResponse<String> page = send(HttpRequest.newBuilder(url("/dashboard/")).GET(), null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(page.body()).contains("app.js");
        assertThat(send(HttpRequest.newBuilder(url("/dashboard/app.js")).GET(), null).statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(url("/dashboard/app.css")).GET(), null).statusCode()).isEqualTo(200);
        final HttpResponse<String> bare = send(HttpRequest.newBuilder(url("/dashboard")).GET(), null);
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.headers().firstValue("Location")).hasValue("/dashboard/");
    }

    @Test
    void shouldRefuseEveryApiRouteWhenNoTokenIsGiven() throws Exception {
        for (final String path : List.of("/dashboard/api/session", "/dashboard/api/overview",
                "/dashboard/api/events?view=overview", "/dashboard/api/batches/x/actions/cancel")) {
            final HttpResponse<String> r = send(HttpRequest.newBuilder(url(path)).GET(), null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(json.readTree(r.body()).path("error").asText()).as(path).isEqualTo("unauthorized");
        }
        final HttpResponse<String> post = send(HttpRequest.newBuilder(url("/dashboard/api/batches/x/actions/cancel"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"confirm\":\"cancel 1 waiting job of batch x\"}")), null);
        assertThat(post.statusCode()).isEqualTo(401);
    }

    @Test
    void shouldShowTheQueryApisFiguresInTheOverviewWhenABatchHasRun() throws Exception {
        // given a batch of 12 jobs, all ended
        acknowledged(submit("shown", 12));
        await("the batch ended").atMost(DEADLINE).pollInterval(Duration.ofMillis(300))
                .until(() -> get("/batches/shown", viewer).path("counts").path("COMPLETED").asLong() == 12);

        // then the overview shows what the query API answers, and the provider calls the gateway counted
        await("the overview shows the query API's figures").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    final JsonNode overview = get("/dashboard/api/overview", viewer);
                    final JsonNode batches = get("/batches", viewer).path("batches");
                    long total = 0;
                    long completed = 0;
                    for (final JsonNode b : batches) {
                        total += b.path("total").asLong();
                        completed += b.path("counts").path("COMPLETED").asLong();
                    }
                    assertThat(overview.path("jobs").path("total").asLong()).isEqualTo(total);
                    assertThat(overview.path("jobs").path("byState").path("COMPLETED").asLong()).isEqualTo(completed);
                    assertThat(overview.path("batches")).isEqualTo(batches);
                    assertThat(overview.path("accounts")).isEqualTo(get("/accounts", viewer).path("accounts"));
                    final JsonNode provider = overview.path("provider");
                    assertThat(provider.path("limit").path("calls").asInt()).isEqualTo(4);
                    assertThat(provider.path("limitPerWindow").asDouble()).isEqualTo(240.0);
                    long calls = 0;
                    for (final JsonNode w : provider.path("windows")) {
                        calls += w.path("calls").asLong();
                    }
                    assertThat(calls).as("provider calls sampled from the gateway").isGreaterThanOrEqualTo(12);
                });

        // and the batch view counts its stems by type, the job view where its stems were archived
        await("the batch's stems counted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    final JsonNode batch = get("/dashboard/api/batches/shown", viewer);
                    assertThat(batch.path("done").asLong()).isEqualTo(12);
                    assertThat(batch.path("stems").path("vocals").asLong()).isEqualTo(12);
                    assertThat(batch.path("stems").path("instrumental").asLong()).isEqualTo(12);
                });
        await("the job's archived copies").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    final JsonNode job = get("/dashboard/api/jobs/shown-1", viewer);
                    assertThat(job.path("job").path("state").asText()).isEqualTo("COMPLETED");
                    assertThat(job.path("archived").path("vocals").asText()).startsWith("file:");
                });
        final JsonNode account = get("/dashboard/api/accounts/dash", viewer);
        assertThat(account.path("account").path("spent").asLong()).isGreaterThanOrEqualTo(120);
        assertThat(account.path("history").findValuesAsText("kind")).contains("CAPTURE");
    }

    @Test
    void shouldPushTheBatchAsItMovesWhenSubscribedToItsEvents() throws Exception {
        // given a batch of 40 jobs that takes ten seconds at the provider's pace
        acknowledged(submit("live", 40));
        await().atMost(DEADLINE).until(() -> get("/batches/live", viewer).path("total").asLong() == 40);

        // when the page subscribes to the batch's events
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final HttpRequest request = HttpRequest.newBuilder(url("/dashboard/api/events?view=batch/live"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + viewer).GET().build();
        final HttpResponse<Stream<String>> stream = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("text/event-stream"));
        final Thread reader = new Thread(() -> stream.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            // then updates arrive without asking, each the batch view, with more jobs done as the batch runs
            final List<Long> done = new ArrayList<>();
            String event = null;
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < deadline && (done.isEmpty() || done.get(done.size() - 1) < 40)) {
                final String line = lines.poll(5, TimeUnit.SECONDS);
                if (line == null) {
                    continue;
                }
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:") && "update".equals(event)) {
                    done.add(json.readTree(line.substring(5).strip()).path("done").asLong());
                }
            }
            assertThat(done).as("done counts pushed").isNotEmpty();
            assertThat(done.get(done.size() - 1)).isEqualTo(40);
            assertThat(done.stream().distinct().count()).as("distinct pushes of %s", done).isGreaterThan(2);
            assertThat(done).isSorted();
        } finally {
            stream.body().close();
        }
    }

    @Test
    void shouldLetAViewerSeeTheActionButNotTakeItWhenTheTokenIsAViewers() throws Exception {
        acknowledged(submit("looked-at", 2));
        await().atMost(DEADLINE).until(() -> get("/batches/looked-at", viewer).path("total").asLong() == 2);
        assertThat(get("/dashboard/api/session", viewer).path("role").asText()).isEqualTo("viewer");
        assertThat(get("/dashboard/api/session", operator).path("role").asText()).isEqualTo("operator");
        final JsonNode preview = get("/dashboard/api/batches/looked-at/actions/cancel", viewer);
        assertThat(preview.path("description").asText()).matches("cancel \\d+ waiting jobs? of batch looked-at");

        final HttpResponse<String> refused = post("/dashboard/api/batches/looked-at/actions/cancel", viewer,
                "{\"confirm\":\"" + preview.path("description").asText() + "\"}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json.readTree(refused.body()).path("error").asText()).isEqualTo("forbidden");
    }

    @Test
    void shouldCancelTheWaitingJobsWhenAnOperatorConfirmsWhatTheDashboardSaid() throws Exception {
        // given a batch of 100 jobs paused before it started: every job waits
        command("pause-doomed", ControlAction.PAUSE, "doomed");
        acknowledged(submit("doomed", 100));
        await("every job of the batch paused").atMost(DEADLINE).pollInterval(Duration.ofMillis(300))
                .until(() -> get("/batches/doomed", viewer).path("counts").path("PAUSED").asLong() == 100);

        // when an operator asks what a cancel would do
        final JsonNode preview = get("/dashboard/api/batches/doomed/actions/cancel", operator);
        assertThat(preview.path("description").asText()).isEqualTo("cancel 100 waiting jobs of batch doomed");
        assertThat(preview.path("jobs").asLong()).isEqualTo(100);
        // (a confirmation of something else is refused, and says what the action would do now)
        final HttpResponse<String> stale = post("/dashboard/api/batches/doomed/actions/cancel", operator,
                "{\"confirm\":\"pause 100 waiting jobs of batch doomed\"}");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(json.readTree(stale.body()).path("description").asText())
                .isEqualTo("cancel 100 waiting jobs of batch doomed");
        assertThat(get("/batches/doomed", viewer).path("counts").path("PAUSED").asLong()).isEqualTo(100);

        // and confirms it
        final HttpResponse<String> done = post("/dashboard/api/batches/doomed/actions/cancel", operator,
                "{\"confirm\":\"" + preview.path("description").asText() + "\",\"reason\":\"wrong masters\"}");
        assertThat(done.statusCode()).isEqualTo(202);
        assertThat(json.readTree(done.body()).path("commandId").asText()).isNotBlank();

        // then every job of the batch ends CANCELLED
        await("every job cancelled").atMost(DEADLINE).pollInterval(Duration.ofMillis(300))
                .until(() -> get("/batches/doomed", viewer).path("counts").path("CANCELLED").asLong() == 100);
    }

    @Test
    void shouldReplayTheFailedJobsWhenAnOperatorConfirmsTheReplay() throws Exception {
        // given a batch whose 6 jobs the provider failed
        final ProviderEmulator emulator = stack.emulator().orElseThrow();
        emulator.control().setFaults(FaultShares.NONE.withTaskFailures(1.0));
        try {
            acknowledged(submit("flaky", 6));
            await("every job failed").atMost(DEADLINE).pollInterval(Duration.ofMillis(300))
                    .until(() -> get("/batches/flaky", viewer).path("counts").path("FAILED").asLong() == 6);
        } finally {
            emulator.control().setFaults(FaultShares.NONE);
        }
        await("the failures on the batch page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> get("/dashboard/api/batches/flaky", viewer).path("failures").path("total").asLong() == 6);
        final JsonNode failure = get("/dashboard/api/batches/flaky", viewer).path("failures").path("latest").get(0);
        assertThat(failure.path("kind").asText()).isEqualTo("JOB_FAILED");
        assertThat(failure.path("code").asInt()).isIn(451, 500);

        // when an operator confirms the replay the dashboard describes
        final JsonNode preview = get("/dashboard/api/batches/flaky/actions/replay", operator);
        assertThat(preview.path("description").asText()).isEqualTo("replay 6 failed jobs of batch flaky");
        final HttpResponse<String> done = post("/dashboard/api/batches/flaky/actions/replay", operator,
                "{\"confirm\":\"" + preview.path("description").asText() + "\"}");
        assertThat(done.statusCode()).as(done.body()).isEqualTo(202);
        assertThat(json.readTree(done.body()).path("replayed").asLong()).isEqualTo(6);

        // then each job runs again as its second attempt, and completes
        await("every job completed on its second attempt").atMost(DEADLINE).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    for (int i = 1; i <= 6; i++) {
                        final JsonNode job = get("/jobs/flaky-" + i, viewer);
                        if (!"COMPLETED".equals(job.path("state").asText()) || job.path("attempt").asInt() != 2) {
                            return false;
                        }
                    }
                    return true;
                });
        // and a second replay finds nothing left to replay
        final HttpResponse<String> again = post("/dashboard/api/batches/flaky/actions/replay", operator,
                "{\"confirm\":\"replay 0 failed jobs of batch flaky\"}");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(json.readTree(again.body()).path("replayed").asLong()).isZero();
        assertThat(json.readTree(again.body()).path("skippedCount").asLong()).isEqualTo(6);
    }

    @Test
    void shouldAnswerAClearErrorWhenTheActionOrViewIsUnknown() throws Exception {
        final HttpResponse<String> action = send(HttpRequest.newBuilder(
                url("/dashboard/api/batches/doomed/actions/delete")).GET(), operator);
        assertThat(action.statusCode()).isEqualTo(404);
        assertThat(json.readTree(action.body()).path("message").asText()).contains("pause, resume, cancel or replay");
        final HttpResponse<String> batch = send(HttpRequest.newBuilder(url("/dashboard/api/batches/never-seen"))
                .GET(), viewer);
        assertThat(batch.statusCode()).isEqualTo(404);
        final HttpResponse<String> body = post("/dashboard/api/batches/never-seen/actions/cancel", operator, "{oops");
        assertThat(body.statusCode()).isEqualTo(400);
        assertThat(json.readTree(body.body()).path("error").asText()).isEqualTo("bad_request");
    }

    // ---- plumbing

    private List<Future<RecordMetadata>> submit(final String batch, final int jobs) {
        final List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 1; i <= jobs; i++) {
            final String id = batch + "-" + i;
            final SeparationRequest r = SeparationRequest.newBuilder()
                    .setRequestId(id).setAccountId("dash").setBatchId(batch).setTaskId("t-" + id).setAudioId("a-" + id)
                    .setType(SeparationType.SEPARATE_VOCAL).setRequestedAt(Instant.now()).setPriority(Priority.NORMAL)
                    .build();
            final String topic = topics.requests().name();
            sent.add(producer.send(new ProducerRecord<>(topic, id,
                    topics.requests().valueSerde().serializer().serialize(topic, r))));
        }
        return sent;
    }

    private void command(final String id, final ControlAction action, final String batch) throws Exception {
        final String topic = topics.control().name();
        producer.send(new ProducerRecord<>(topic, batch, topics.control().valueSerde().serializer().serialize(topic,
                new ControlCommand(id, action, ControlScope.BATCH, batch, null, "test", null, Instant.now()))))
                .get(30, TimeUnit.SECONDS);
    }

    private static void acknowledged(final List<Future<RecordMetadata>> sends) throws Exception {
        for (final Future<RecordMetadata> f : sends) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    private String token(final String key) throws IOException {
        return Files.readString(Path.of(stack.info().credentials().get(key))).strip();
    }

    private URI url(final String path) {
        return URI.create(stack.info().services().get("query-api") + path);
    }

    private JsonNode get(final String path, final String token) throws IOException, InterruptedException {
        final HttpResponse<String> r = send(HttpRequest.newBuilder(url(path)).GET(), token);
        return r.statusCode() == 200 ? json.readTree(r.body()) : json.createObjectNode();
    }

    private HttpResponse<String> post(final String path, final String token, final String body)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(url(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), token);
    }

    private HttpResponse<String> send(final HttpRequest.Builder request, final String token)
            throws IOException, InterruptedException {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
