package io.stemflow.bridge.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.stemflow.bridge.BridgeMetrics;
import io.stemflow.bridge.Outcome;
import java.time.Duration;

/**
 * Writes every answer of the bridge as JSON and counts it: errors as
 * {@code {"error": "<code>", "message": "<what is wrong>"}}, 503s with {@code Retry-After}.
 */
public final class Responses {

    private final ObjectMapper mapper = new ObjectMapper();
    private final BridgeMetrics metrics;
    private final String retryAfterSeconds;

    public Responses(final BridgeMetrics metrics, final Duration retryAfter) {
        this.metrics = metrics;
        this.retryAfterSeconds = Long.toString(retryAfter.toSeconds());
    }

    /** The 200 of a callback that is in Kafka. */
    void accepted(final Context ctx, final String requestId) {
        metrics.count(Outcome.ACCEPTED);
        final ObjectNode body = mapper.createObjectNode().put("status", "accepted").put("requestId", requestId);
        ctx.status(200).contentType(MediaTypes.JSON).result(body.toString());
    }

    /** The 200 of a signed callback this instance stored before, sent again with the same body: nothing produced. */
    void replayed(final Context ctx, final String requestId) {
        metrics.count(Outcome.REPLAYED);
        final ObjectNode body = mapper.createObjectNode().put("status", "accepted").put("requestId", requestId);
        ctx.status(200).contentType(MediaTypes.JSON).result(body.toString());
    }

    /** A refusal: status and {@code error} code from the outcome, {@code message} for the sender. */
    public void error(final Context ctx, final Outcome outcome, final String message) {
        metrics.count(outcome);
        if (outcome.retryable()) {
            ctx.header("Retry-After", retryAfterSeconds);
        }
        final ObjectNode body = mapper.createObjectNode().put("error", outcome.errorCode()).put("message", message);
        ctx.status(outcome.status()).contentType(MediaTypes.JSON).result(body.toString());
    }

    /** A health answer: {@code {"status": "UP"}} or {@code DOWN} with a reason. */
    void health(final Context ctx, final boolean up, final String detail) {
        final ObjectNode body = mapper.createObjectNode().put("status", up ? "UP" : "DOWN");
        if (detail != null) {
            body.put("detail", detail);
        }
        ctx.status(up ? 200 : 503).contentType(MediaTypes.JSON).result(body.toString());
    }
}
