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

/**
 * GETs JSON from the query API with {@code Authorization: Bearer} when a token is known ({@link Connection#tokenFor});
 * 404 becomes a {@link CliException} with NOT_FOUND, 401 and 403 one that names {@code STEMFLOW_TOKEN(_FILE)}
 * (never the token).
 */
final class QueryClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    /** @param token bearer token; null: none */
    QueryClient(final String base, final String token) {
        this.base = base;
        this.token = token;
    }

    JsonNode get(final String path, final String id) {
        final String url = base + path + (id == null ? "" : "/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"));
        try {
            final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json");
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            final HttpResponse<String> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw refused(response.statusCode());
            }
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

    private CliException refused(final int status) {
        final String why = status == 401
                ? (token == null ? "no token was sent" : "the token sent is not one the query API accepts")
                : "the token sent is not allowed to read this";
        return new CliException(CliException.NOT_CONFIGURED, "the query API at " + base + " answered " + status + ": "
                + why + ". Set " + Connection.ENV_TOKEN + " or " + Connection.ENV_TOKEN + "_FILE to a viewer "
                + "(or operator) token of that deployment; against a local stack (bin/stemflow dev) the CLI finds "
                + "its token files through stack.json");
    }
}
