package io.stemflow.bridge;

import io.stemflow.schemas.provider.CallbackToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/** The provider's side of a callback, over the JDK HttpClient. */
public final class CallbackClient {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http;
    private final URI base;
    private final CallbackToken token;

    public CallbackClient(final URI base, final CallbackToken token) {
        this(base, token, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    public CallbackClient(final URI base, final CallbackToken token, final SSLContext tls) {
        this(base, token, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    private CallbackClient(final URI base, final CallbackToken token, final HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    /** A POST of {@code body} as JSON to the callback URL of {@code requestId} with its genuine token. */
    public HttpRequest.Builder callback(final String requestId, final String body) {
        return callback(requestId, token.tokenFor(requestId), body);
    }

    /** A POST of {@code body} as JSON to the callback URL of {@code requestId} with the given token (null: none). */
    public HttpRequest.Builder callback(final String requestId, final String tokenValue, final String body) {
        final String path = "/callbacks/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8).replace("+", "%20")
                + (tokenValue == null ? "" : "?token=" + URLEncoder.encode(tokenValue, StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    public HttpResponse<String> post(final String requestId, final String body) {
        return send(callback(requestId, body).build());
    }

    public HttpResponse<String> post(final String requestId, final String body, final Map<String, String> headers) {
        final HttpRequest.Builder request = callback(requestId, body);
        headers.forEach(request::header);
        return send(request.build());
    }

    public CompletableFuture<HttpResponse<String>> postAsync(final String requestId, final String body) {
        return http.sendAsync(callback(requestId, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(final String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build());
    }

    public HttpResponse<String> send(final HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Request " + request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending " + request.uri(), e);
        }
    }
}
