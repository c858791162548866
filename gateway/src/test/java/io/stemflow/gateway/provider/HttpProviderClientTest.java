package io.stemflow.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.stemflow.avro.Stem;
import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.RecordInfoTimeFormat;
import io.stemflow.emulator.testing.ProviderEmulatorExtension;
import io.stemflow.emulator.time.ManualTime;
import io.stemflow.service.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP client against the provider emulator (and, for broken answers, a bare JDK server): result values only. */
class HttpProviderClientTest {

    private static final String KEY = "sk-client-test-58c1d9e0a7";
    private static final Instant START = Instant.parse("2026-11-20T10:00:00Z");
    private static final GenerateCall CALL = new GenerateCall("music-1", "audio-1", "split_stem",
            URI.create("http://127.0.0.1:9/callbacks/req-1?token=abc"));

    private final ManualTime time = new ManualTime(START);

    @RegisterExtension
    final ProviderEmulatorExtension emulators = ProviderEmulatorExtension
            .starting(() -> EmulatorConfig.builder().host("127.0.0.1").port(0).apiKey(KEY).seed(7)
                    .processingTime(ProcessingTime.fixed(Duration.ofSeconds(30)))
                    .recordInfoTimeFormat(RecordInfoTimeFormat.STRING)
                    .build())
            .withTime(() -> time);

    private ProviderEmulator emulator;
    private HttpServer bare;

    @BeforeEach
    void useEmulator(final ProviderEmulator emulator) {
        this.emulator = emulator;
    }

    @AfterEach
    void stopBareServer() {
        if (bare != null) {
            bare.stop(0);
        }
    }

    @Test
    void shouldReturnTaskIdWhenGenerateIsAccepted() {
        // when
        final ProviderReply<String> reply = client(emulator.baseUrl(), KEY).generate(CALL);

        // then
        assertThat(reply).isInstanceOfSatisfying(ProviderReply.Ok.class, ok ->
                assertThat((String) ok.data()).isNotBlank());
        assertThat(emulator.control().counters().tasksAccepted()).isEqualTo(1);
    }

    @Test
    void shouldReadCodeFromBodyOrFromHttpStatusWhenProviderRefuses() {
        // given
        emulator.control().setCredits(KEY, 0);
        final HttpProviderClient client = client(emulator.baseUrl(), KEY);

        // when: code only in the body of an HTTP 200
        final ProviderReply<String> inBody = client.generate(CALL);
        emulator.control().setHttpStatusMirrorsCode(true);
        final ProviderReply<String> asStatus = client.generate(CALL);

        // then
        assertThat(inBody).isEqualTo(new ProviderReply.Refused<String>(429, "Insufficient credits", 200));
        assertThat(asStatus).isEqualTo(new ProviderReply.Refused<String>(429, "Insufficient credits", 429));
    }

    @Test
    void shouldReportCreditsAndPollTaskWithStringTimesWhenTaskCompletes() {
        // given
        final HttpProviderClient client = client(emulator.baseUrl(), KEY);
        final String taskId = ((ProviderReply.Ok<String>) client.generate(CALL)).data();

        // when
        final ProviderReply<RecordInfo> pending = client.recordInfo(taskId);
        time.advance(Duration.ofSeconds(31));
        final ProviderReply<RecordInfo> done = client.recordInfo(taskId);

        // then
        assertThat(client.credit()).isEqualTo(new ProviderReply.Ok<>(10_000L - 50, "success"));
        assertThat(((ProviderReply.Ok<RecordInfo>) pending).data().state()).isEqualTo(TaskState.PENDING);
        final RecordInfo info = ((ProviderReply.Ok<RecordInfo>) done).data();
        assertThat(info.taskId()).isEqualTo(taskId);
        assertThat(info.createTime()).contains(START);
        assertThat(info.completeTime()).contains(START.plusSeconds(30));
        assertThat(info.stems()).containsKeys(Stem.VOCALS, Stem.DRUMS).doesNotContainKey(Stem.PIANO)
                .allSatisfy((stem, url) -> assertThat(url).startsWith(emulator.baseUrl().toString()));
        assertThat(info.originUrl()).isEmpty();
    }

    @Test
    void shouldAnswer401WithoutShowingTheKeyWhenKeyIsWrong() {
        // when
        final ProviderReply<Long> reply = client(emulator.baseUrl(), "sk-not-accepted-1234").credit();

        // then
        assertThat(reply.code()).isEqualTo(401);
        assertThat(reply.message()).isEqualTo("Unauthorized").doesNotContain("sk-not-accepted-1234");
    }

    @Test
    void shouldAnswer404WhenBasePathIsWrong() {
        // when
        final ProviderReply<String> reply = client(URI.create(emulator.baseUrl() + "/v0/"), KEY).generate(CALL);

        // then
        assertThat(reply.code()).isEqualTo(404);
    }

    @Test
    void shouldReportTimeoutWhenProviderDoesNotAnswer() throws IOException {
        // given: a server that holds every request until the test ends
        final CountDownLatch hold = new CountDownLatch(1);
        bare = bareServer(exchange -> {
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        try {
            // when
            final ProviderReply<String> reply = new HttpProviderClient(bareUrl(), () -> Secret.of("key", KEY),
                    Duration.ofMillis(300), Duration.ofSeconds(1)).generate(CALL);

            // then
            assertThat(reply).isInstanceOfSatisfying(ProviderReply.Unreachable.class, u ->
                    assertThat(u.failure()).isEqualTo(ProviderReply.Failure.TIMEOUT));
            assertThat(reply.codeLabel()).isEqualTo("timeout");
        } finally {
            hold.countDown();
        }
    }

    @Test
    void shouldReportConnectionFailureWhenNothingListens() throws IOException {
        // given
        final int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        // when
        final ProviderReply<Long> reply = client(URI.create("http://127.0.0.1:" + port), KEY).credit();

        // then
        assertThat(reply).isInstanceOfSatisfying(ProviderReply.Unreachable.class, u ->
                assertThat(u.failure()).isEqualTo(ProviderReply.Failure.CONNECTION));
    }

    @Test
    void shouldTellMalformedFromHttpErrorWhenBodyIsNotTheEnvelope() throws IOException {
        // given: 200 with HTML, 502 with plain text (a proxy in between)
        bare = bareServer(exchange -> {
            final boolean credit = exchange.getRequestURI().getPath().endsWith("/credit");
            final byte[] body = (credit ? "<html>maintenance page</html>" : "Bad Gateway")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(credit ? 200 : 502, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        final HttpProviderClient client = client(bareUrl(), KEY);

        // when
        final ProviderReply<Long> html = client.credit();
        final ProviderReply<String> badGateway = client.generate(CALL);

        // then
        assertThat(html).isInstanceOfSatisfying(ProviderReply.Unreachable.class, u ->
                assertThat(u.failure()).isEqualTo(ProviderReply.Failure.MALFORMED));
        assertThat(badGateway).isEqualTo(new ProviderReply.Refused<String>(502, "HTTP 502", 502));
    }

    @Test
    void shouldHideCallbackTokenWhenCallIsPrinted() {
        assertThat(CALL.toString()).contains("/callbacks/req-1").doesNotContain("abc");
    }

    private static HttpProviderClient client(final URI base, final String key) {
        return new HttpProviderClient(base, () -> Secret.of("key", key), Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    private HttpServer bareServer(final com.sun.net.httpserver.HttpHandler handler) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", handler);
        server.start();
        return server;
    }

    private URI bareUrl() {
        return URI.create("http://127.0.0.1:" + bare.getAddress().getPort());
    }
}
