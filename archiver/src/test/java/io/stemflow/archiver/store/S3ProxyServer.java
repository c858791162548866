package io.stemflow.archiver.store;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for tests: S3Proxy, run as a child process from its executable jar (copied to
 * {@code target/s3proxy/} by the build and named by the system property {@value #JAR_PROPERTY}; not on the test
 * classpath, where its bundled libraries would clash with ours). It listens on a free loopback port, keeps its
 * objects in files under a directory of the test's ({@code filesystem-nio2}: S3Proxy 3.0.0 calls the older
 * {@code filesystem} backend deprecated, and that one also lists every folder it made as a {@code dir/} object),
 * checks AWS signatures (v2 or v4) against one identity with a secret made for this run, and writes its log to
 * {@code target/s3proxy/s3proxy-<port>.log}.
 */
public final class S3ProxyServer implements AutoCloseable {

    static final String JAR_PROPERTY = "stemflow.s3proxy.jar";
    public static final String IDENTITY = "stemflow-test";
    public static final String REGION = "us-east-1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final long STOP_SECONDS = 10;

    private final Process process;
    private final URI endpoint;
    private final String credential;
    private final Path log;

    private S3ProxyServer(final Process process, final URI endpoint, final String credential, final Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.credential = credential;
        this.log = log;
    }

    /** Starts S3Proxy with its data under {@code dir} and returns once it answers HTTP requests. */
    public static S3ProxyServer start(final Path dir) throws IOException {
        final String jarSetting = System.getProperty(JAR_PROPERTY);
        if (jarSetting == null || !Files.isRegularFile(Path.of(jarSetting))) {
            throw new IllegalStateException(JAR_PROPERTY + " must name S3Proxy's executable jar (run the tests with"
                    + " Maven, which copies it to target/s3proxy/), was " + jarSetting);
        }
        final Path jar = Path.of(jarSetting);
        final int port = freePort();
        final URI endpoint = URI.create("http://127.0.0.1:" + port);
        final String credential = "secret-" + UUID.randomUUID();
        final Path data = Files.createDirectories(dir.resolve("s3proxy-data"));
        final Path properties = dir.resolve("s3proxy.properties");
        Files.write(properties, List.of(
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + credential,
                "jclouds.provider=filesystem-nio2",
                "jclouds.identity=" + IDENTITY,
                "jclouds.credential=" + credential,
                "jclouds.filesystem.basedir=" + data), StandardCharsets.UTF_8);
        final Path log = jar.resolveSibling("s3proxy-" + port + ".log");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--properties",
                properties.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final S3ProxyServer server = new S3ProxyServer(process, endpoint, credential, log);
        try {
            await("S3Proxy answering on " + endpoint).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive() || server.answers());
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + " before answering;"
                        + " see " + log);
            }
        } catch (final RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The secret of {@link #IDENTITY}, made for this run. */
    public String credential() {
        return credential;
    }

    Path log() {
        return log;
    }

    /** A plain SDK client signed in as {@link #IDENTITY}, to prepare buckets and look at objects as others see them. */
    public S3Client client() {
        return S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.of(REGION))
                .endpointOverride(endpoint).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, credential)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
    }

    /** Whether the server answers an HTTP request at all (an anonymous request gets 403: it is up). */
    private boolean answers() {
        try {
            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            final HttpResponse<Void> response = http.send(HttpRequest.newBuilder(endpoint.resolve("/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() > 0;
        } catch (final IOException e) {
            return false;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Stops the process: politely, then forcibly after {@value #STOP_SECONDS} seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
