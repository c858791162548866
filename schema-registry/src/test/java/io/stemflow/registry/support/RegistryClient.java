package io.stemflow.registry.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain JDK HttpClient speaking to a registry over real HTTP, for tests. */
public final class RegistryClient {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final URI base;
    private final String contentType;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public RegistryClient(final URI base) {
        this(base, CONTENT_TYPE, null);
    }

    /** A client sending {@code contentType} and, when not null, an {@code Authorization} header. */
    public RegistryClient(final URI base, final String contentType, final String authorization) {
        this.base = base;
        this.contentType = contentType;
        this.authorization = authorization;
    }

    /** A response: status, raw body, content type and every header. */
    public record Response(int status, String body, String contentType, java.net.http.HttpHeaders headers) {

        /** The first value of header {@code name}, or an empty string. */
        public String header(final String name) {
            return headers.firstValue(name).orElse("");
        }

        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("Response body is not JSON: " + body, e);
            }
        }

        public int errorCode() {
            return json().path("error_code").asInt();
        }

        public String message() {
            return json().path("message").asText();
        }
    }

    public Response get(final String path) {
        return send(request(path).GET());
    }

    public Response post(final String path, final String body) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response put(final String path, final String body) {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response delete(final String path) {
        return send(request(path).DELETE());
    }

    /** Registers {@code schema} under {@code subject}; returns the response. */
    public Response register(final String subject, final String schema) {
        return post("/subjects/" + subject + "/versions", schemaBody(schema));
    }

    /** Registers and returns the id, failing the test when the registry does not answer 200. */
    public int registerOk(final String subject, final String schema) {
        final Response response = register(subject, schema);
        if (response.status() != 200) {
            throw new AssertionError("Registering under " + subject + " answered " + response);
        }
        return response.json().get("id").asInt();
    }

    /** {@code {"schema": "<schema>"}} */
    public static String schemaBody(final String schema) {
        return MAPPER.createObjectNode().put("schema", schema).toString();
    }

    private HttpRequest.Builder request(final String path) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType).header("Accept", CONTENT_TYPE);
        return authorization == null ? builder : builder.header("Authorization", authorization);
    }

    private Response send(final HttpRequest.Builder builder) {
        try {
            final HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(),
                    response.headers().firstValue("Content-Type").orElse(""), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
