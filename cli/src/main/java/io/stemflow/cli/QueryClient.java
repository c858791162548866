package io.stemflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** GETs JSON from the query API; 404 becomes a {@link CliException} with NOT_FOUND. */
final class QueryClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    QueryClient(final String base) {
        this.base = base;
    }

    JsonNode get(final String path, final String id) {
        final String url = base + path + (id == null ? "" : "/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"));
        try {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                throw new CliException(CliException.NOT_FOUND, "not found: " + url);
            }
            if (response.statusCode() != 200) {
                throw new CliException(1, "query API answered " + response.statusCode() + " for " + url + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(1, "cannot reach the query API at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(1, "interrupted");
        }
    }
}
