package io.stemflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The provider's remaining credits: {@code GET {base}/api/v1/generate/credit} with the API key as a bearer token
 * (the provider contract, section 4; the gateway's provider client sends the key the same way). No message here
 * ever holds the key.
 */
final class ProviderCredit {

    static final String PATH = "/api/v1/generate/credit";

    private ProviderCredit() {
    }

    static long balance(final String baseUrl, final String apiKey, final Duration timeout) {
        final URI uri;
        try {
            uri = URI.create(baseUrl.replaceAll("/+$", "") + PATH);
        } catch (IllegalArgumentException e) {
            throw new CliException(picocli.CommandLine.ExitCode.USAGE, "bad provider URL " + baseUrl);
        }
        final HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + apiKey)
                .build();
        final HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(timeout).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "could not ask " + uri + " for the provider's "
                    + "credits: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.NOT_CONFIGURED, "interrupted while asking " + uri + " for credits");
        }
        final JsonNode body;
        try {
            body = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new CliException(CliException.NOT_CONFIGURED, uri + " answered HTTP " + response.statusCode()
                    + " with no JSON envelope");
        }
        if (body == null || body.path("code").asInt() != 200 || !body.path("data").canConvertToLong()) {
            throw new CliException(CliException.NOT_CONFIGURED, uri + " answered HTTP " + response.statusCode()
                    + ", code " + (body == null ? "none" : body.path("code").asText()) + ", msg "
                    + (body == null ? "none" : body.path("msg").asText()) + ": no credit balance");
        }
        return body.path("data").asLong();
    }
}
