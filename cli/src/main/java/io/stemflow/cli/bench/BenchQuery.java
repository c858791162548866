package io.stemflow.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/** The pipeline's query API as the benchmark reads it: JSON documents, absent while not known (404) or not ready. */
final class BenchQuery {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI base;
    private final String token;

    /** @param token a viewer's bearer token; null: none */
    BenchQuery(final URI base, final String token) {
        this.base = base;
        this.token = token;
    }

    Optional<JsonNode> get(final String path) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        final HttpRequest request = builder.build();
        try {
            final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking the query API for " + path, e);
        }
    }

    /** Jobs the scheduler holds: waiting in its queues, or handed on and not settled yet. */
    long queued() {
        return get("queues").map(q -> q.path("waiting").asLong() + q.path("handedOn").asLong()).orElse(-1L);
    }

    /** The batch's jobs waiting in the scheduler's queues (held ones included), or -1 while it cannot say. */
    long waitingOf(final String batchId) {
        return get("queues/batches/" + batchId).map(b -> b.path("waiting").asLong()).orElse(-1L);
    }

    /** Whether the scheduler applies a control of {@code action} to the account now. */
    boolean accountControlled(final String accountId, final String action) {
        return get("queues").map(q -> {
            for (final JsonNode c : q.path("controls")) {
                if ("ACCOUNT".equals(c.path("scope").asText()) && accountId.equals(c.path("target").asText())
                        && action.equals(c.path("action").asText())) {
                    return true;
                }
            }
            return false;
        }).orElse(false);
    }

    /** The batch's jobs in {@code state}, as its status counts say. */
    long inState(final String batchId, final String state) {
        return get("batches/" + batchId).map(b -> b.path("counts").path(state).asLong()).orElse(0L);
    }

    /**
     * Polls {@code path} until its document satisfies {@code done}.
     *
     * @throws IllegalStateException naming {@code what} when the deadline passes first
     */
    JsonNode await(final String path, final Predicate<JsonNode> done, final Duration deadline, final String what) {
        final long end = System.nanoTime() + deadline.toNanos();
        Optional<JsonNode> last = Optional.empty();
        while (System.nanoTime() < end) {
            last = get(path);
            if (last.isPresent() && done.test(last.get())) {
                return last.get();
            }
            Waits.pause(Duration.ofMillis(100));
        }
        throw new IllegalStateException("gave up waiting for " + what + " after " + deadline.toSeconds() + " s; "
                + path + " last said " + last.map(JsonNode::toString).orElse("nothing"));
    }
}
