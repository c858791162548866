package io.stemflow.pipeline.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small real HTTP client for the tests: GET with a bearer token (a viewer's unless told), status, headers, JSON body. */
final class HttpProbe {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;

    HttpProbe() {
        this(Fixtures.VIEWER_TOKEN);
    }

    /** With {@code token} as bearer token; null: none. */
    HttpProbe(final String token) {
        this.token = token;
    }

    /** One answer. */
    record Answer(int status, JsonNode json, String servedBy, String retryAfter, String contentType) {
    }

    Answer get(final URI base, final String path) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        final HttpRequest request = builder.GET().build();
        try {
            final HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), MAPPER.readTree(response.body()),
                    response.headers().firstValue(QueryHeaders.SERVED_BY).orElse(null),
                    response.headers().firstValue(QueryHeaders.RETRY_AFTER).orElse(null),
                    response.headers().firstValue("Content-Type").orElse(null));
        } catch (IOException e) {
            throw new IllegalStateException("GET " + base + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted on GET " + base + path, e);
        }
    }
}
