package io.stemflow.archiver.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stemflow.emulator.Stem;
import io.stemflow.emulator.audio.StemAudio;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against a real HTTP server that misbehaves as file servers do. */
class StemFetcherTest {

    private static final byte[] WAV = new StemAudio().wav(Stem.GUITAR);
    private static final FetchSettings FAST = new FetchSettings(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofMillis(500), 3, Duration.ofMillis(10), Duration.ofMillis(50), 10L << 20);

    @TempDir
    Path dir;

    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);
    /** The Range header of each request (null when there was none). */
    private final List<String> ranges = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private URI serve(final String path, final Handler handler) {
        final AtomicInteger calls = new AtomicInteger();
        server.createContext(path, exchange -> {
            ranges.add(exchange.getRequestHeaders().getFirst("Range"));
            try (exchange) {
                handler.handle(exchange, calls.incrementAndGet());
            }
        });
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private interface Handler {
        void handle(HttpExchange exchange, int call) throws IOException;
    }

    private static void send(final HttpExchange exchange, final int status, final String type, final byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    private static String sha256(final byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private FetchOutcome fetch(final URI url) throws Exception {
        try (StemFetcher fetcher = new StemFetcher(FAST, dir.resolve("work"))) {
            return fetcher.fetch(url);
        }
    }

    private long partFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("work"))) {
            return files.count();
        }
    }

    @Test
    void shouldFetchTheStemWithItsChecksumWhenTheServerServesIt() throws Exception {
        // given
        final URI url = serve("/files/t/guitar.wav", (ex, call) -> send(ex, 200, "audio/wav", WAV));

        // when
        final FetchOutcome outcome = fetch(url);

        // then
        assertThat(outcome).isInstanceOfSatisfying(FetchOutcome.Fetched.class, f -> {
            assertThat(f.size()).isEqualTo(WAV.length);
            assertThat(f.type()).isEqualTo(AudioType.WAV);
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.file()).hasBinaryContent(WAV);
        });
        assertThat(((FetchOutcome.Fetched) outcome).sha256()).isEqualTo(sha256(WAV));
    }

    @Test
    void shouldSayGoneWithoutRetryingWhenTheLinkAnswers404Or410() throws Exception {
        // given
        final URI missing = serve("/missing", (ex, call) -> send(ex, 404, "text/plain", "no".getBytes()));
        final URI expired = serve("/expired", (ex, call) -> send(ex, 410, "text/plain", "gone".getBytes()));

        // when / then
        assertThat(fetch(missing)).isEqualTo(new FetchOutcome.Gone(404));
        assertThat(fetch(expired)).isEqualTo(new FetchOutcome.Gone(410));
        assertThat(ranges).hasSize(2);
        assertThat(partFiles()).isZero();
    }

    @Test
    void shouldRetryWhenTheServerFailsOnce() throws Exception {
        // given
        final URI url = serve("/flaky", (ex, call) -> {
            if (call == 1) {
                send(ex, 503, "text/plain", "busy".getBytes());
            } else {
                send(ex, 200, "audio/x-wav", WAV);
            }
        });

        // when / then
        assertThat(fetch(url)).isInstanceOfSatisfying(FetchOutcome.Fetched.class,
                f -> assertThat(f.attempts()).isEqualTo(2));
    }

    @Test
    void shouldFailRetryablyWhenEveryAttemptFails() throws Exception {
        // given
        final URI url = serve("/down", (ex, call) -> send(ex, 500, "text/plain", "down".getBytes()));

        // when / then
        assertThat(fetch(url)).isEqualTo(new FetchOutcome.Failed("HTTP 500 (3 attempts)", true, 3));
        assertThat(partFiles()).isZero();
    }

    @Test
    void shouldResumeWhereTheTransferBrokeOffWhenTheServerHonoursRanges() throws Exception {
        // given: the first response announces the whole file and stops half way
        final int half = WAV.length / 2;
        final URI url = serve("/cut", (ex, call) -> {
            ex.getResponseHeaders().set("ETag", "\"v1\"");
            final String range = ex.getRequestHeaders().getFirst("Range");
            if (call == 1) {
                ex.getResponseHeaders().set("Content-Type", "audio/wav");
                ex.sendResponseHeaders(200, WAV.length);
                ex.getResponseBody().write(WAV, 0, half);
                ex.getResponseBody().flush();
                throw new IOException("connection dropped by the test server");
            }
            assertThat(ex.getRequestHeaders().getFirst("If-Range")).isEqualTo("\"v1\"");
            final int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().set("Content-Type", "audio/wav");
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (WAV.length - 1) + "/" + WAV.length);
            ex.sendResponseHeaders(206, WAV.length - from);
            ex.getResponseBody().write(WAV, from, WAV.length - from);
        });

        // when
        final FetchOutcome outcome = fetch(url);

        // then: the second request asked for the rest only, and the bytes are whole
        assertThat(ranges).hasSize(2);
        assertThat(ranges.get(0)).isNull();
        assertThat(ranges.get(1)).matches("bytes=\\d+-");
        assertThat(Long.parseLong(ranges.get(1).replaceAll("\\D", ""))).isPositive().isLessThanOrEqualTo(half);
        assertThat(outcome).isInstanceOfSatisfying(FetchOutcome.Fetched.class, f -> {
            assertThat(f.attempts()).isEqualTo(2);
            assertThat(f.file()).hasBinaryContent(WAV);
        });
        assertThat(((FetchOutcome.Fetched) outcome).sha256()).isEqualTo(sha256(WAV));
    }

    @Test
    void shouldStartOverWhenTheServerIgnoresTheRange() throws Exception {
        // given
        final URI url = serve("/no-ranges", (ex, call) -> {
            ex.getResponseHeaders().set("Last-Modified", "Sun, 06 Dec 2026 10:00:00 GMT");
            ex.getResponseHeaders().set("Content-Type", "audio/wav");
            ex.sendResponseHeaders(200, WAV.length);
            if (call == 1) {
                ex.getResponseBody().write(WAV, 0, 1000);
                ex.getResponseBody().flush();
                throw new IOException("connection dropped by the test server");
            }
            ex.getResponseBody().write(WAV);
        });

        // when / then
        final FetchOutcome outcome = fetch(url);
        assertThat(outcome).isInstanceOfSatisfying(FetchOutcome.Fetched.class,
                f -> assertThat(f.file()).hasBinaryContent(WAV));
        assertThat(((FetchOutcome.Fetched) outcome).sha256()).isEqualTo(sha256(WAV));
    }

    @Test
    void shouldBreakOffAndResumeWhenTheTransferStalls() throws Exception {
        // given: the first response stops sending without closing
        final URI url = serve("/stall", (ex, call) -> {
            ex.getResponseHeaders().set("ETag", "\"v1\"");
            ex.getResponseHeaders().set("Content-Type", "audio/wav");
            if (call == 1) {
                ex.sendResponseHeaders(200, WAV.length);
                ex.getResponseBody().write(WAV, 0, 100);
                ex.getResponseBody().flush();
                try {
                    release.await(30, TimeUnit.SECONDS); // held open until the test ends
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            final String range = ex.getRequestHeaders().getFirst("Range");
            final int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (WAV.length - 1) + "/" + WAV.length);
            ex.sendResponseHeaders(206, WAV.length - from);
            ex.getResponseBody().write(WAV, from, WAV.length - from);
        });

        // when / then
        final FetchOutcome outcome = fetch(url);
        assertThat(outcome).isInstanceOfSatisfying(FetchOutcome.Fetched.class, f -> {
            assertThat(f.attempts()).isEqualTo(2);
            assertThat(f.file()).hasBinaryContent(WAV);
        });
    }

    @Test
    void shouldFailWithoutRetryingWhenTheLinkServesSomethingElse() throws Exception {
        // given
        final URI page = serve("/page", (ex, call) -> send(ex, 200, "text/html",
                "<html>Sign in</html>".getBytes(StandardCharsets.UTF_8)));
        final URI fake = serve("/fake", (ex, call) -> send(ex, 200, "audio/wav",
                "<html>Sign in</html>".getBytes(StandardCharsets.UTF_8)));
        final URI big = serve("/big", (ex, call) -> send(ex, 200, "audio/wav", new byte[(10 << 20) + 1]));

        // when / then
        assertThat(fetch(page)).isInstanceOfSatisfying(FetchOutcome.Failed.class, f -> {
            assertThat(f.reason()).isEqualTo("served as 'text/html', not as an audio type the archiver keeps");
            assertThat(f.retryable()).isFalse();
        });
        assertThat(fetch(fake)).isInstanceOfSatisfying(FetchOutcome.Failed.class, f -> {
            assertThat(f.reason()).contains("served as audio/wav but not a WAV file");
            assertThat(f.retryable()).isFalse();
        });
        assertThat(fetch(big)).isInstanceOfSatisfying(FetchOutcome.Failed.class, f -> {
            assertThat(f.reason()).contains("more than the " + (10 << 20) + " accepted");
            assertThat(f.retryable()).isFalse();
        });
        assertThat(ranges).hasSize(3);
        assertThat(partFiles()).isZero();
    }

    @Test
    void shouldFailRetryablyWithoutTheLinkWhenNothingListens() throws Exception {
        // given: a port nobody listens on
        final URI url;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            url = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/files/secret-token/vocal.wav");
        }

        // when / then: the link's path (a capability) is not in the reason
        assertThat(fetch(url)).isInstanceOfSatisfying(FetchOutcome.Failed.class, f -> {
            assertThat(f.retryable()).isTrue();
            assertThat(f.attempts()).isEqualTo(3);
            assertThat(f.reason()).startsWith("no response: ").doesNotContain("secret-token");
        });
    }
}
