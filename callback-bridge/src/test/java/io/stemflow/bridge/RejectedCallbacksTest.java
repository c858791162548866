package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.SeparationResult;
import io.stemflow.bridge.http.CallbackEndpoint;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.service.Secret;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Everything the bridge must refuse, through real HTTP against a real broker: the right status, a
 * JSON error body, and nothing on the topic. After each test a genuine "sentinel" callback is sent
 * and the single-partition topic is read up to it: any record a refused request had produced would
 * be read before it.
 */
@WithKafkaStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RejectedCallbacksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Seconds before {@link Fixtures#NOW} of the next signed request's timestamp. */
    private static final java.util.concurrent.atomic.AtomicLong SIGNED = new java.util.concurrent.atomic.AtomicLong();
    private static final String SENTINEL = "sentinel-";
    private static final String VALID_BODY = "{\"code\": 200, \"msg\": \"ok\", \"data\": {\"task_id\": \"task-1\","
            + " \"vocal_removal_info\": {\"vocal_url\": \"https://x/v.mp3\"}}}";

    /** Request ids the tests themselves expect on the topic (besides sentinels). */
    private final java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private CallbackBridge bridge;
    private CallbackClient client;
    private TestStack kafka;
    private String topic;

    @BeforeAll
    void startBridge(final TestStack stack) {
        kafka = stack;
        topic = stack.uniqueTopic("results-rejected");
        stack.createTopics(1, topic);
        final Map<String, String> env = Fixtures.env(stack.bootstrapServers(), stack.registryUrl().toString(), topic);
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY, Fixtures.WEBHOOK_KEY);
        bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), Fixtures.CLOCK);
        client = new CallbackClient(bridge.url(), Fixtures.token());
    }

    @AfterAll
    void stopBridge() {
        bridge.close();
    }

    @AfterEach
    void nothingButSentinelsWereProduced() {
        final String sentinel = SENTINEL + UUID.randomUUID();
        assertThat(client.post(sentinel, VALID_BODY, signed("task-1")).statusCode()).isEqualTo(200);
        final List<ConsumerRecord<String, SeparationResult>> records = ResultsReader.readUntil(kafka.bootstrapServers(),
                AvroSerdes.specific(SeparationResult.class, kafka.serdeConfig(), false).deserializer(), topic,
                read -> read.stream().anyMatch(r -> r.key().equals(sentinel)), Duration.ofSeconds(30));
        assertThat(records).extracting(ConsumerRecord::key)
                .allMatch(key -> key.startsWith(SENTINEL) || accepted.contains(key));
    }

    @Test
    void shouldAnswer401WithTheSameGenericBodyWhenTheTokenIsForgedMissingOrForAnotherRequest() {
        // given
        final String forged = CallbackToken.withKey("an-attackers-key-0123456789".getBytes(StandardCharsets.UTF_8))
                .tokenFor("req-1");
        final String ofAnotherRequest = Fixtures.token().tokenFor("req-2");

        // when
        final List<HttpResponse<String>> responses = List.of(
                send(client.callback("req-1", forged, VALID_BODY)),
                send(client.callback("req-1", null, VALID_BODY)),
                send(client.callback("req-1", ofAnotherRequest, VALID_BODY)),
                send(client.callback("req-1", "%%%not-base64", VALID_BODY)),
                send(client.callback("req-1", "", VALID_BODY)));

        // then
        assertThat(responses).allSatisfy(response -> assertError(response, 401, "unauthorized"));
        assertThat(responses).extracting(HttpResponse::body).containsOnly(unauthorizedBody());
    }

    @Test
    void shouldAnswer401WithTheSameGenericBodyWhenTheSignatureIsForgedStaleOrMissing() {
        // given
        final long now = Fixtures.NOW.getEpochSecond();
        final WebhookSignature forger = new WebhookSignature(Secret.utf8("an-attackers-webhook-key"),
                Duration.ofMinutes(5), Fixtures.CLOCK);
        final WebhookSignature genuine = Fixtures.signer();

        // when
        final List<HttpResponse<String>> responses = List.of(
                client.post("req-1", VALID_BODY, headers(now, forger.sign("task-1", now))),
                client.post("req-1", VALID_BODY, headers(now - 301, genuine.sign("task-1", now - 301))),
                client.post("req-1", VALID_BODY, headers(now + 301, genuine.sign("task-1", now + 301))),
                client.post("req-1", VALID_BODY, headers(now, genuine.sign("another-task", now))),
                client.post("req-1", VALID_BODY, Map.of(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))),
                client.post("req-1", VALID_BODY, Map.of()));

        // then
        assertThat(responses).allSatisfy(response -> assertError(response, 401, "unauthorized"));
        assertThat(responses).extracting(HttpResponse::body).containsOnly(unauthorizedBody());
    }

    @Test
    void shouldAnswer413WhenTheBodyExceedsTheDefaultLimitWithOrWithoutContentLength() {
        // given
        final String oversized = bodyOfSize(BridgeConfig.DEFAULT_MAX_BODY_BYTES + 1);
        final byte[] oversizedBytes = oversized.getBytes(StandardCharsets.UTF_8);
        final HttpRequest chunked = client.callback("req-1", "").headers(headerArray(signed("task-1")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(oversizedBytes))).build();

        // when
        final HttpResponse<String> declared = client.post("req-1", oversized, signed("task-1"));
        final HttpResponse<String> streamed = client.send(chunked);
        accepted.add("req-limit");
        final HttpResponse<String> atTheLimit = client.post("req-limit", bodyOfSize(BridgeConfig.DEFAULT_MAX_BODY_BYTES),
                signed("task-1"));

        // then
        assertError(declared, 413, "payload_too_large");
        assertThat(message(declared)).contains("exceeds the limit of 1048576 bytes");
        assertError(streamed, 413, "payload_too_large");
        assertThat(atTheLimit.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer400SayingWhatIsWrongWhenTheBodyIsMalformedOrNotACallback() {
        // when
        final HttpResponse<String> malformed = client.post("req-1", "{\"code\": 200, \"data\": {", signed("task-1"));
        final HttpResponse<String> wrongType = client.post("req-1",
                "{\"code\": \"OK\", \"data\": {\"task_id\": \"task-1\"}}", signed("task-1"));
        final HttpResponse<String> noTaskId = client.post("req-1", "{\"code\": 200, \"data\": {}}", signed("task-1"));
        final HttpResponse<String> wrongUrlType = client.post("req-1",
                "{\"code\": 200, \"data\": {\"task_id\": \"task-1\", \"vocal_removal_info\": {\"drums_url\": true}}}",
                signed("task-1"));

        // then
        assertError(malformed, 400, "malformed_json");
        assertThat(message(malformed)).startsWith("The body is not valid JSON");
        assertError(wrongType, 400, "invalid_payload");
        assertThat(message(wrongType)).isEqualTo("'code' must be an integer, was a string");
        assertError(noTaskId, 400, "invalid_payload");
        assertThat(message(noTaskId)).isEqualTo("'data.task_id' is required (a non-empty string)");
        assertError(wrongUrlType, 400, "invalid_payload");
        assertThat(message(wrongUrlType)).contains("'data.vocal_removal_info.drums_url' must be a string or null");
    }

    @Test
    void shouldAnswer415WhenTheContentTypeIsNotJsonButAcceptJsonWithUtf8Charset() {
        // given
        final HttpRequest noContentType = HttpRequest.newBuilder(callbackUri("req-1")).headers(headerArray(signed("task-1")))
                .POST(HttpRequest.BodyPublishers.ofString(VALID_BODY)).build();

        // when
        final HttpResponse<String> text = send(client.callback("req-1", VALID_BODY)
                .setHeader("Content-Type", "text/plain").headers(headerArray(signed("task-1"))));
        final HttpResponse<String> latin1 = send(client.callback("req-1", VALID_BODY)
                .setHeader("Content-Type", "application/json; charset=ISO-8859-1").headers(headerArray(signed("task-1"))));
        final HttpResponse<String> missing = client.send(noContentType);
        accepted.add("req-utf8");
        final HttpResponse<String> utf8 = send(client.callback("req-utf8", VALID_BODY)
                .setHeader("Content-Type", "Application/JSON; charset=\"utf-8\"").headers(headerArray(signed("task-1"))));

        // then
        assertError(text, 415, "unsupported_media_type");
        assertThat(message(text)).isEqualTo("Content-Type must be application/json (UTF-8), was 'text/plain'");
        assertError(latin1, 415, "unsupported_media_type");
        assertError(missing, 415, "unsupported_media_type");
        assertThat(message(missing)).isEqualTo("Content-Type must be application/json (UTF-8), was missing");
        assertThat(utf8.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer404And405WithJsonWhenThePathOrMethodIsWrong() {
        // when
        final HttpResponse<String> get = client.get("/callbacks/req-1?token=" + Fixtures.token().tokenFor("req-1"));
        final HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(bridge.url().resolve("/callback/req-1"))
                .POST(HttpRequest.BodyPublishers.ofString(VALID_BODY)).header("Content-Type", "application/json").build());
        final HttpResponse<String> deeper = client.send(HttpRequest.newBuilder(bridge.url().resolve("/callbacks/a/b"))
                .POST(HttpRequest.BodyPublishers.ofString(VALID_BODY)).header("Content-Type", "application/json").build());

        // then
        assertError(get, 405, "method_not_allowed");
        assertError(unknown, 404, "not_found");
        assertError(deeper, 404, "not_found");
    }

    @Test
    void shouldCountEveryRefusalByOutcomeWhenScraped() {
        // given
        final double badTokens = bridge.metrics().countOf(Outcome.BAD_TOKEN);
        final double stale = bridge.metrics().countOf(Outcome.STALE_SIGNATURE);
        final double malformed = bridge.metrics().countOf(Outcome.MALFORMED_JSON);
        final long now = Fixtures.NOW.getEpochSecond();

        // when
        send(client.callback("req-1", "forged", VALID_BODY));
        client.post("req-1", VALID_BODY, headers(now - 1000, Fixtures.signer().sign("task-1", now - 1000)));
        client.post("req-1", "not json", signed("task-1"));
        final String scraped = client.get("/metrics").body();

        // then
        assertThat(bridge.metrics().countOf(Outcome.BAD_TOKEN)).isEqualTo(badTokens + 1);
        assertThat(bridge.metrics().countOf(Outcome.STALE_SIGNATURE)).isEqualTo(stale + 1);
        assertThat(bridge.metrics().countOf(Outcome.MALFORMED_JSON)).isEqualTo(malformed + 1);
        assertThat(scraped)
                .contains("stemflow_bridge_callbacks_total{outcome=\"bad_token\"} " + (badTokens + 1))
                .contains("stemflow_bridge_callbacks_total{outcome=\"stale_signature\"} " + (stale + 1))
                .contains("stemflow_bridge_callbacks_total{outcome=\"malformed_json\"} " + (malformed + 1));
    }

    private static String unauthorizedBody() {
        return "{\"error\":\"unauthorized\",\"message\":\"" + CallbackEndpoint.UNAUTHORIZED_MESSAGE + "\"}";
    }

    /** A valid callback padded by an unknown field to exactly {@code size} bytes. */
    private static String bodyOfSize(final int size) {
        final String head = "{\"code\": 200, \"data\": {\"task_id\": \"task-1\"}, \"padding\": \"";
        final String tail = "\"}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }

    private URI callbackUri(final String requestId) {
        return bridge.url().resolve("/callbacks/" + requestId + "?token=" + Fixtures.token().tokenFor(requestId));
    }

    /**
     * Genuine signature headers, each with another timestamp within the allowed age (as the provider signs each
     * delivery when it sends it): the same task id and timestamp twice would be a replay.
     */
    private static Map<String, String> signed(final String taskId) {
        final long timestamp = Fixtures.NOW.getEpochSecond() - SIGNED.getAndIncrement();
        return headers(timestamp, Fixtures.signer().sign(taskId, timestamp));
    }

    private static Map<String, String> headers(final long timestamp, final String signature) {
        return Map.of(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp),
                WebhookSignature.SIGNATURE_HEADER, signature);
    }

    private static String[] headerArray(final Map<String, String> headers) {
        return headers.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new);
    }

    private HttpResponse<String> send(final HttpRequest.Builder request) {
        return client.send(request.build());
    }

    private static void assertError(final HttpResponse<String> response, final int status, final String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        final JsonNode body = json(response);
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("message").asText()).isNotBlank();
    }

    private static String message(final HttpResponse<String> response) {
        return json(response).path("message").asText();
    }

    private static JsonNode json(final HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("Not JSON: " + response.body(), e);
        }
    }
}
