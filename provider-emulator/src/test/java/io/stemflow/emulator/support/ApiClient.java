package io.stemflow.emulator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A plain JDK HTTP client for the emulator's API in tests. */
public final class ApiClient {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** An answer: HTTP status and parsed JSON body (null when the body is not JSON). */
    public record Answer(int status, JsonNode body, byte[] raw) {
        public int code() {
            return body.path("code").asInt();
        }

        public String taskId() {
            return body.path("data").path("taskId").asText();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public ApiClient(final URI base) {
        this.base = base;
    }

    public static ObjectNode generateBody(final String type, final String callBackUrl) {
        final ObjectNode body = MAPPER.createObjectNode();
        body.put("taskId", "music-task-1");
        body.put("audioId", "audio-1");
        if (type != null) {
            body.put("type", type);
        }
        body.put("callBackUrl", callBackUrl);
        return body;
    }

    public Answer generate(final String apiKey, final JsonNode body) {
        return generateRaw(apiKey, body.toString());
    }

    public Answer generateRaw(final String apiKey, final String body) {
        return send(request("/api/v1/vocal-removal/generate", apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Answer recordInfo(final String apiKey, final String taskId) {
        return send(request("/api/v1/vocal-removal/record-info?taskId="
                + URLEncoder.encode(taskId, StandardCharsets.UTF_8), apiKey).GET().build());
    }

    public Answer credit(final String apiKey) {
        return send(request("/api/v1/generate/credit", apiKey).GET().build());
    }

    public Answer get(final String pathAndQuery, final String apiKey) {
        return send(request(pathAndQuery, apiKey).GET().build());
    }

    public Answer send(final String method, final String pathAndQuery, final String apiKey, final String body) {
        final HttpRequest.Builder builder = request(pathAndQuery, apiKey);
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        return send(builder.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** An admin call; {@code token} may be null. */
    public Answer admin(final String method, final String path, final String token, final String body) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("X-Admin-Token", token);
        }
        if (!"GET".equals(method)) {
            builder.header("Content-Type", "application/json");
        }
        return send(builder.build());
    }

    /** GET of an absolute URL (stem files). */
    public Answer fetch(final String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private HttpRequest.Builder request(final String pathAndQuery, final String apiKey) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        return builder;
    }

    private Answer send(final HttpRequest request) {
        try {
            final HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body;
            try {
                body = MAPPER.readTree(response.body());
            } catch (final IOException e) {
                body = null;
            }
            return new Answer(response.statusCode(), body, response.body());
        } catch (final IOException e) {
            throw new UncheckedIOException("request " + request.method() + " " + request.uri() + " failed", e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
