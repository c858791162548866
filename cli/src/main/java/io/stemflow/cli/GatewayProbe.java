package io.stemflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.schemas.CallerText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * What the gateway says of itself ({@code GET /health}: {@code {"status":"UP|DEGRADED|DOWN","reason":...}},
 * 200 unless DOWN): shown by status --watch when it is not UP, because then the provider's rate and the
 * ETA do not hold (out of provider credits, throttled, in maintenance, stopped). A display aid: a gateway
 * that cannot be read says nothing here (the provider rate line says it is not measured).
 */
final class GatewayProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI health;

    GatewayProbe(final String gatewayUrl) {
        this.health = URI.create(gatewayUrl.replaceAll("/+$", "") + "/health");
    }

    /** "DEGRADED: provider out of credits (429): ..." when the gateway is not UP. */
    Optional<String> problem() {
        try {
            final HttpResponse<String> answer = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(3))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return problem(answer.body());
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The problem a {@code /health} answer states, if it states one. */
    static Optional<String> problem(final String body) {
        final JsonNode h;
        try {
            h = JSON.readTree(body);
        } catch (IOException e) {
            return Optional.empty();
        }
        final String status = h.path("status").asText("");
        if (status.isEmpty() || "UP".equals(status)) {
            return Optional.empty();
        }
        return Optional.of(CallerText.clip(status, 20) + (h.path("reason").isTextual()
                ? ": " + CallerText.clip(h.path("reason").asText(), 300) : ""));
    }
}
