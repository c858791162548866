package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemUrl;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every callback example of the provider contract, through real HTTP and a real broker, into exactly its record. */
@WithKafkaStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContractExamplesTest {

    private static final String FILES = "https://files.provider.example/s/";
    private static final String TOPIC_PREFIX = "results-examples";

    private CallbackBridge bridge;
    private CallbackClient client;
    private String topic;

    @BeforeAll
    void startBridge(final TestStack stack) {
        topic = stack.uniqueTopic(TOPIC_PREFIX);
        stack.createTopics(1, topic);
        final Map<String, String> env = Fixtures.env(stack.bootstrapServers(), stack.registryUrl().toString(), topic);
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY, Fixtures.WEBHOOK_KEY);
        env.put(BridgeConfig.ENV_READINESS_INTERVAL_MS, "200");
        bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), Fixtures.CLOCK);
        client = new CallbackClient(bridge.url(), Fixtures.token());
    }

    @AfterAll
    void stopBridge() {
        bridge.close();
    }

    @Test
    void shouldTurnEveryContractExampleIntoExactlyItsExpectedRecord(final TestStack stack) {
        // given
        final Map<String, SeparationResult> expected = expectedResults();
        final Map<String, String> bodies = new LinkedHashMap<>();
        expected.keySet().forEach(requestId -> bodies.put(requestId, bodyOf(requestId)));

        // when
        final List<Integer> statuses = new ArrayList<>();
        bodies.forEach((requestId, body) -> statuses.add(postSigned(requestId, body).statusCode()));
        final HttpResponse<String> end = postSigned("req-end", Fixtures.example("callback-failed-500.json"));

        // then
        assertThat(expected.keySet().stream().filter(id -> id.startsWith("req-callback-"))
                .map(id -> id.substring("req-".length()) + ".json").sorted().toList())
                .as("every callback example of the contract is covered")
                .isEqualTo(Fixtures.callbackExamples());
        assertThat(statuses).containsOnly(200);
        assertThat(end.statusCode()).isEqualTo(200);
        final List<ConsumerRecord<String, SeparationResult>> records = ResultsReader.readUntil(stack.bootstrapServers(),
                AvroSerdes.specific(SeparationResult.class, stack.serdeConfig(), false).deserializer(), topic,
                read -> read.stream().anyMatch(r -> r.key().equals("req-end")), Duration.ofSeconds(30));
        final Map<String, SeparationResult> actual = new LinkedHashMap<>();
        records.stream().filter(r -> !r.key().equals("req-end")).forEach(r -> actual.put(r.key(), r.value()));
        assertThat(records).hasSize(expected.size() + 1);
        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    @Test
    void shouldAnswerAcceptedJsonAndExposeHealthAndMetricsWhenKafkaIsUp() {
        // given
        await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/health/ready").statusCode() == 200);

        // when
        final HttpResponse<String> accepted = postSigned("req-health", Fixtures.example("callback-failed-451.json"));
        final HttpResponse<String> live = client.get("/health/live");
        final HttpResponse<String> ready = client.get("/health/ready");
        final HttpResponse<String> metrics = client.get("/metrics");

        // then
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(accepted.body()).isEqualTo("{\"status\":\"accepted\",\"requestId\":\"req-health\"}");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("stemflow_bridge_callbacks_total\\{outcome=\"accepted\"} [1-9]")
                .contains("stemflow_bridge_callbacks_total{outcome=\"bad_token\"}")
                .containsPattern("stemflow_bridge_produce_latency_seconds_count\\{result=\"acknowledged\"} [1-9]")
                .contains("stemflow_bridge_kafka_ready 1.0");
    }

    private final java.util.concurrent.atomic.AtomicLong signedSoFar = new java.util.concurrent.atomic.AtomicLong();

    private HttpResponse<String> postSigned(final String requestId, final String body) {
        final String taskId = taskIdOf(body);
        // each delivery signed at another second, as the provider does: one task id and timestamp twice is a replay
        final long now = Fixtures.NOW.getEpochSecond() - signedSoFar.getAndIncrement();
        return client.post(requestId, body, Map.of(
                WebhookSignature.TIMESTAMP_HEADER, Long.toString(now),
                WebhookSignature.SIGNATURE_HEADER, Fixtures.signer().sign(taskId, now)));
    }

    private static String taskIdOf(final String body) {
        final int start = body.indexOf("\"task_id\": \"") + "\"task_id\": \"".length();
        return body.substring(start, body.indexOf('"', start));
    }

    /** The request ids name the example they carry. */
    private static String bodyOf(final String requestId) {
        if (requestId.equals("req-extra-fields")) {
            return Fixtures.example("callback-separate-vocal-success.json")
                    .replace("\"code\": 200,", "\"code\": 200, \"traceId\": \"abc\", \"extra\": {\"a\": [1, {}]},")
                    .replace("\"task_id\": \"3e63b4cc88d52611159371f6af5571e7\",",
                            "\"task_id\": \"3e63b4cc88d52611159371f6af5571e7\", \"callbackType\": \"complete\",")
                    .replace("\"origin_url\": \"\",", "\"origin_url\": \"\", \"harp_url\": \"https://x/h.mp3\", \"duration\": 245.6,");
        }
        return Fixtures.example(requestId.substring("req-".length()) + ".json");
    }

    private static Map<String, SeparationResult> expectedResults() {
        final Map<String, SeparationResult> expected = new LinkedHashMap<>();
        expected.put("req-callback-separate-vocal-success", result("req-callback-separate-vocal-success",
                "3e63b4cc88d52611159371f6af5571e7", 200, "vocal separation completed", null,
                Stem.VOCALS, "7a2f_Vocals.mp3", Stem.INSTRUMENTAL, "0d1c_Instrumental.mp3"));
        expected.put("req-callback-separate-vocal-success-alt-key", result("req-callback-separate-vocal-success-alt-key",
                "41aa0e2b9c7d4f0e8a1b2c3d4e5f6a7b", 200, "vocal separation completed", FILES + "91be_Origin.mp3",
                Stem.VOCALS, "91be_Vocals.mp3", Stem.INSTRUMENTAL, "91be_Instrumental.mp3"));
        expected.put("req-callback-split-stem-success", result("req-callback-split-stem-success",
                "e649edb7abfd759285bd41a47a634b10", 200, "vocal separation completed", null,
                Stem.VOCALS, "0742_Vocals.mp3", Stem.BACKING_VOCALS, "aadc_Backing_Vocals.mp3",
                Stem.DRUMS, "ac75_Drums.mp3", Stem.BASS, "a3c2_Bass.mp3", Stem.GUITAR, "064d_Guitar.mp3",
                Stem.KEYBOARD, "5b1e_Keyboard.mp3", Stem.STRINGS, "c0de_Strings.mp3", Stem.BRASS, "334b_Brass.mp3",
                Stem.WOODWINDS, "9f9f_Woodwinds.mp3", Stem.PERCUSSION, "1234_Percussion.mp3",
                Stem.SYNTH, "77aa_Synth.mp3", Stem.FX, "a882_FX.mp3"));
        expected.put("req-callback-split-stem-partial", result("req-callback-split-stem-partial",
                "b10c0ffee0ddba11deadbeef00000001", 200, "vocal separation completed", null,
                Stem.VOCALS, "b10c_Vocals.mp3", Stem.BACKING_VOCALS, "b10c_Backing_Vocals.mp3",
                Stem.DRUMS, "b10c_Drums.mp3", Stem.BASS, "b10c_Bass.mp3"));
        expected.put("req-callback-failed-451", result("req-callback-failed-451",
                "5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d", 451, "source audio could not be downloaded", null));
        expected.put("req-callback-failed-500", result("req-callback-failed-500",
                "6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e", 500, "internal error while separating", null));
        expected.put("req-extra-fields", result("req-extra-fields",
                "3e63b4cc88d52611159371f6af5571e7", 200, "vocal separation completed", null,
                Stem.VOCALS, "7a2f_Vocals.mp3", Stem.INSTRUMENTAL, "0d1c_Instrumental.mp3"));
        return expected;
    }

    private static SeparationResult result(final String requestId, final String taskId, final int code,
                                           final String message, final String origin, final Object... stemsAndFiles) {
        final List<StemUrl> stems = new ArrayList<>();
        for (int i = 0; i < stemsAndFiles.length; i += 2) {
            stems.add(new StemUrl((Stem) stemsAndFiles[i], FILES + stemsAndFiles[i + 1]));
        }
        return new SeparationResult(requestId, taskId, code, message, stems, origin, ResultSource.CALLBACK, Fixtures.NOW);
    }
}
