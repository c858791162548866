package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.SeparationResult;
import io.stemflow.bridge.http.CallbackEndpoint;
import io.stemflow.http.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The probes of issue 15 against the bridge that need no broker, each as it was run: other spellings
 * of a genuine token, control and bidirectional characters in the URL, a flood of bad tokens, requests
 * Jetty refuses before any route runs, headers trickled past the read deadline. Each must be refused
 * with a JSON body and produce nothing (a MockProducer records every send).
 */
class HostileRequestsTest {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
    private static final String BODY = "{\"code\": 200, \"msg\": \"ok\", \"data\": {\"task_id\": \"task-1\","
            + " \"vocal_removal_info\": {\"vocal_url\": \"https://x/v.mp3\"}}}";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private MockProducer<String, SeparationResult> producer;
    private CallbackBridge bridge;
    private CallbackClient client;

    @BeforeEach
    void start() {
        producer = Fixtures.mockProducer(true);
        final Map<String, String> env = Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results");
        env.put(CallbackLimits.ENV_READ_TIMEOUT_MS, Long.toString(READ_TIMEOUT.toMillis()));
        bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), producer, Fixtures.CLOCK);
        client = new CallbackClient(bridge.url(), Fixtures.token());
    }

    @AfterEach
    void stop() {
        bridge.close();
    }

    @Test
    void shouldAnswer401AndProduceNothingWhenTheTokenIsSpelledAnyOtherWay() {
        // given: the genuine token of req-1, and the spellings the probe found accepted for it
        final String canonical = Fixtures.token().tokenFor("req-1");
        final String stem = canonical.substring(0, canonical.length() - 1);
        final int last = ALPHABET.indexOf(canonical.charAt(canonical.length() - 1));
        final List<String> queries = new ArrayList<>();
        for (int lowBits = 1; lowBits < 4; lowBits++) {
            queries.add("token=" + stem + ALPHABET.charAt(last ^ lowBits)); // the two unused bits of the last character
        }
        queries.add("token=" + canonical + "%3D"); // padded
        queries.add("token=" + String.format("%%%02X", (int) canonical.charAt(0)) + canonical.substring(1)); // encoded
        queries.add("token=" + canonical + "&token=" + canonical); // twice
        queries.add("%74oken=" + canonical); // the parameter's name encoded

        // when
        final List<HttpResponse<String>> refused = queries.stream().map(query -> client.send(HttpRequest.newBuilder(
                        bridge.url().resolve("/callbacks/req-1?" + query)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build())).toList();
        final HttpResponse<String> genuine = client.post("req-1", BODY);

        // then
        assertThat(refused).allSatisfy(response -> {
            assertThat(response.statusCode()).as(response.uri().getRawQuery()).isEqualTo(401);
            assertThat(response.body()).isEqualTo("{\"error\":\"unauthorized\",\"message\":\""
                    + CallbackEndpoint.UNAUTHORIZED_MESSAGE + "\"}");
        });
        assertThat(genuine.statusCode()).isEqualTo(200);
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void shouldEscapeEveryNonPrintableCharacterWhenTheUrlCarriesThem() {
        // given: the probe's characters in the requestId: CSI (a terminal escape), NEL, right-to-left
        // override, line separator, plus ESC and a newline
        final String requestId = "req-\u009B31m-\u0085-\u202Eevil-\u2028-\u001B[2J-\n-end";
        try (CapturedLog log = CapturedLog.of(CallbackEndpoint.class)) {

            // when: once with a bad token (401), once with the genuine token and a wrong content type (415)
            final HttpResponse<String> badToken = client.send(client.callback(requestId, "forged", BODY).build());
            final HttpResponse<String> wrongType = client.send(client.callback(requestId, BODY)
                    .setHeader("Content-Type", "text/plain").build());

            // then
            assertThat(badToken.statusCode()).isEqualTo(401);
            assertThat(wrongType.statusCode()).isEqualTo(415);
            assertThat(log.lines()).hasSize(2).allSatisfy(line -> {
                assertThat(line).contains("req-\\u009B31m-\\u0085-\\u202Eevil-\\u2028-\\u001B[2J-\\u000A-end");
                assertThat(line.chars().filter(c -> Character.isISOControl(c) || c == 0x202E || c == 0x2028))
                        .as("raw control, bidi or separator characters in: " + line).isEmpty();
            });
        }
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldLogOneWarningWhenAFloodOfBadTokensArrives() {
        try (CapturedLog log = CapturedLog.of(CallbackEndpoint.class)) {
            // when: 200 bad-token requests, then 20 with a wrong content type, within one warning interval
            final List<Integer> badTokens = IntStream.range(0, 200).mapToObj(i -> client.send(
                    client.callback("req-" + i, "forged-" + i, BODY).build()).statusCode()).toList();
            final List<Integer> wrongTypes = IntStream.range(0, 20).mapToObj(i -> client.send(
                    client.callback("req-" + i, BODY).setHeader("Content-Type", "text/plain").build()).statusCode())
                    .toList();

            // then: every request refused, one line per kind of refusal
            assertThat(badTokens).containsOnly(401);
            assertThat(wrongTypes).containsOnly(415);
            assertThat(log.lines()).filteredOn(line -> line.contains("missing or invalid token")).hasSize(1);
            assertThat(log.lines()).filteredOn(line -> line.contains("refused with 415")).hasSize(1);
            assertThat(log.lines()).hasSize(2);
        }
        assertThat(bridge.metrics().countOf(Outcome.BAD_TOKEN)).isEqualTo(200);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldAnswerJettysOwnErrorsWithJsonWhenTheRequestIsNotValidHttp() throws IOException {
        // given
        final int port = bridge.url().getPort();
        final String token = Fixtures.token().tokenFor("req-1");

        // when
        final RawHttp badUri = RawHttp.exchange(port, RawHttp.request("POST", "/callbacks/%zz?token=" + token,
                "127.0.0.1"));
        final RawHttp longUri = RawHttp.exchange(port, RawHttp.request("POST", "/callbacks/" + "x".repeat(20_000),
                "127.0.0.1"));
        final RawHttp bigHeaders = RawHttp.exchange(port, RawHttp.request("POST", "/callbacks/req-1?token=" + token,
                "127.0.0.1", "X-Padding: " + "x".repeat(20_000)));

        // then
        assertJsonError(badUri, 400, "bad_request");
        assertJsonError(longUri, 414, "uri_too_long");
        assertJsonError(bigHeaders, 431, "request_header_fields_too_large");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldAnswer408WhenTheHeadersTrickleInBeyondTheReadTimeout() throws Exception {
        // given: a genuine callback whose header lines arrive over 1.5 s (read timeout: 1 s), body at once after them
        final String token = Fixtures.token().tokenFor("req-slow-headers");
        final List<String> pieces = List.of(
                "POST /callbacks/req-slow-headers?token=" + token + " HTTP/1.1\r\n",
                "Host: 127.0.0.1\r\n",
                "Content-Type: application/json\r\n",
                "Content-Length: " + BODY.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + BODY);
        final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try (Socket socket = new Socket("127.0.0.1", bridge.url().getPort())) {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();

            // when
            for (int i = 0; i < pieces.size(); i++) {
                final byte[] piece = pieces.get(i).getBytes(StandardCharsets.UTF_8);
                writer.schedule(() -> {
                    out.write(piece);
                    out.flush();
                    return null;
                }, i * 500L, TimeUnit.MILLISECONDS);
            }
            final String answer = readAll(socket.getInputStream());

            // then
            assertThat(answer).startsWith("HTTP/1.1 408").contains("application/json")
                    .contains("\"error\":\"request_timeout\"").containsIgnoringCase("Connection: close");
        } finally {
            writer.shutdownNow();
        }
        assertThat(producer.history()).isEmpty();
        assertThat(bridge.metrics().countOf(Outcome.REQUEST_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void shouldAnswer421AndProduceNothingWhenTheHostHeaderNamesAForeignHostAsInDnsRebinding() throws IOException {
        // given: a genuine callback, sent as a page that rebound its own name to the bridge's address would send it
        final int port = bridge.url().getPort();
        final String target = "/callbacks/req-1?token=" + Fixtures.token().tokenFor("req-1");
        final String json = "Content-Type: application/json";

        // when
        final RawHttp rebound = RawHttp.exchange(port,
                RawHttp.withBody(RawHttp.request("POST", target, "attacker.example:" + port, json), BODY));
        final RawHttp health = RawHttp.exchange(port, RawHttp.request("GET", "/health/live", "attacker.example"));
        final int producedAfterRefusal = producer.history().size();
        final RawHttp byAddress = RawHttp.exchange(port,
                RawHttp.withBody(RawHttp.request("POST", target, "127.0.0.1:" + port, json), BODY));

        // then
        assertJsonError(rebound, 421, "misdirected_request");
        assertThat(producedAfterRefusal).isZero();
        assertThat(health.status()).as("health stays open to probes, which call by any name").isEqualTo(200);
        assertThat(byAddress.status()).isEqualTo(200);
        assertThat(producer.history()).hasSize(1);
    }

    private static void assertJsonError(final RawHttp answer, final int status, final String code) {
        assertThat(answer.status()).as(answer.headers()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(answer.body()).startsWith("{\"error\":\"" + code + "\",\"message\":\"");
    }

    private static String readAll(final InputStream in) throws IOException {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        final byte[] buffer = new byte[8192];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            all.write(buffer, 0, read);
        }
        return all.toString(StandardCharsets.UTF_8);
    }
}
