package io.stemflow.bridge.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.stemflow.avro.SeparationResult;
import io.stemflow.bridge.CallbackParser;
import io.stemflow.bridge.InvalidCallbackException;
import io.stemflow.bridge.Outcome;
import io.stemflow.bridge.ProviderCallback;
import io.stemflow.bridge.ResultMapper;
import io.stemflow.bridge.WebhookSignature;
import io.stemflow.bridge.kafka.CallbackPublisher;
import io.stemflow.bridge.kafka.PublishException;
import io.stemflow.schemas.provider.CallbackToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /callbacks/{requestId}?token=...}: one provider callback into one Kafka record.
 *
 * <p>The checks run cheapest and least revealing first, and nothing is read that a check can
 * refuse without reading: the token (401), the content type (415), the signature's headers and
 * timestamp (401), the body's size (413), its JSON (400), the signature over {@code data.task_id}
 * (401). Only then is the result produced, and the answer is 200 only once the broker acknowledged
 * it; 503 with {@code Retry-After} when Kafka did not within the bound. Every authentication failure
 * gets the same generic message.
 */
public final class CallbackEndpoint implements Handler {

    /** What every authentication failure says: nothing about which check failed. */
    public static final String UNAUTHORIZED_MESSAGE = "The callback could not be authenticated";
    /** The path parameter holding the requestId. */
    public static final String REQUEST_ID = "requestId";

    private static final Logger LOG = LoggerFactory.getLogger(CallbackEndpoint.class);
    private static final int MAX_LOGGED_ID = 80;

    private final CallbackToken token;
    private final Optional<WebhookSignature> signature;
    private final CallbackParser parser;
    private final ResultMapper mapper;
    private final CallbackPublisher publisher;
    private final BodyReader bodyReader;
    private final RequestGate gate;
    private final Responses responses;

    public CallbackEndpoint(final CallbackToken token, final Optional<WebhookSignature> signature,
                            final CallbackParser parser, final ResultMapper mapper, final CallbackPublisher publisher,
                            final int maxBodyBytes, final RequestGate gate, final Responses responses) {
        this.token = Objects.requireNonNull(token, "token");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.bodyReader = new BodyReader(maxBodyBytes);
        this.gate = Objects.requireNonNull(gate, "gate");
        this.responses = Objects.requireNonNull(responses, "responses");
    }

    @Override
    public void handle(final Context ctx) throws IOException {
        if (!gate.enter()) {
            responses.error(ctx, Outcome.SHUTTING_DOWN, "The bridge is shutting down: retry later");
            return;
        }
        try {
            accept(ctx);
        } catch (Rejection rejection) {
            responses.error(ctx, rejection.outcome, rejection.getMessage());
        } finally {
            gate.exit();
        }
    }

    private void accept(final Context ctx) throws Rejection, IOException {
        final String requestId = ctx.pathParam(REQUEST_ID);
        if (!token.verify(requestId, ctx.queryParam("token"))) {
            LOG.warn("Callback for request '{}' refused: missing or invalid token", loggable(requestId));
            throw new Rejection(Outcome.BAD_TOKEN, UNAUTHORIZED_MESSAGE);
        }
        final String contentType = ctx.header("Content-Type");
        if (!MediaTypes.isJson(contentType)) {
            throw rejected(requestId, Outcome.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json (UTF-8), was "
                    + (contentType == null ? "missing" : "'" + loggable(contentType) + "'"));
        }
        final String timestamp = ctx.header(WebhookSignature.TIMESTAMP_HEADER);
        final String signed = ctx.header(WebhookSignature.SIGNATURE_HEADER);
        if (signature.isPresent()) {
            checkSignature(requestId, signature.get().precheck(timestamp, signed));
        }
        final byte[] body = readBody(ctx, requestId);
        final ProviderCallback callback;
        try {
            callback = parser.parse(body);
        } catch (InvalidCallbackException e) {
            throw rejected(requestId, e.outcome(), e.getMessage());
        }
        if (signature.isPresent()) {
            checkSignature(requestId, signature.get().verify(callback.taskId(), timestamp, signed));
        }
        final SeparationResult result = mapper.toResult(requestId, callback);
        try {
            publisher.publish(requestId, result);
        } catch (PublishException e) {
            if (e.kind() == PublishException.Kind.UNAVAILABLE) {
                LOG.warn("Callback for request '{}' not stored, answered 503: {}", loggable(requestId), e.getMessage());
                throw new Rejection(Outcome.KAFKA_UNAVAILABLE, "The result could not be stored now: retry later");
            }
            LOG.error("Callback for request '{}' refused by Kafka, answered 500", loggable(requestId), e);
            throw new Rejection(Outcome.PUBLISH_FAILED, "The result could not be stored");
        }
        LOG.debug("Callback for request '{}' (task {}, code {}) stored", loggable(requestId), loggable(callback.taskId()),
                callback.code());
        responses.accepted(ctx, requestId);
    }

    private static void checkSignature(final String requestId, final WebhookSignature.Verdict verdict) throws Rejection {
        if (verdict != WebhookSignature.Verdict.VALID) {
            LOG.warn("Callback for request '{}' refused: webhook signature {}", loggable(requestId), verdict);
            throw new Rejection(verdict == WebhookSignature.Verdict.STALE ? Outcome.STALE_SIGNATURE : Outcome.BAD_SIGNATURE,
                    UNAUTHORIZED_MESSAGE);
        }
    }

    private byte[] readBody(final Context ctx, final String requestId) throws Rejection, IOException {
        final String tooLarge = "The body exceeds the limit of " + bodyReader.maxBytes() + " bytes";
        final long declared = ctx.req().getContentLengthLong();
        final InputStream in = ctx.req().getInputStream();
        if (bodyReader.declaredTooLarge(declared)) {
            if (!bodyReader.drainable(declared) || !drained(in)) {
                ctx.header("Connection", "close");
            }
            throw rejected(requestId, Outcome.PAYLOAD_TOO_LARGE, tooLarge + " (Content-Length: " + declared + ")");
        }
        final byte[] body;
        try {
            body = bodyReader.read(in);
        } catch (IOException e) {
            throw rejected(requestId, Outcome.MALFORMED_JSON, "The body could not be read to its end");
        }
        if (body == null) {
            ctx.header("Connection", "close");
            throw rejected(requestId, Outcome.PAYLOAD_TOO_LARGE, tooLarge);
        }
        return body;
    }

    /** Reads and drops an oversized body so that the client reads the 413; false when the connection broke. */
    private boolean drained(final InputStream in) {
        try {
            bodyReader.drain(in, 0);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Rejection rejected(final String requestId, final Outcome outcome, final String message) {
        LOG.info("Callback for request '{}' refused with {}: {}", loggable(requestId), outcome.status(), message);
        return new Rejection(outcome, message);
    }

    /** Text from the caller (requestId, headers) as it may appear in logs and messages: no control characters, bounded. */
    static String loggable(final String text) {
        final String cleaned = text.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() <= MAX_LOGGED_ID ? cleaned : cleaned.substring(0, MAX_LOGGED_ID) + "...";
    }

    /** Ends the handling of one callback with a refusal; carries no stack trace. */
    private static final class Rejection extends Exception {

        private static final long serialVersionUID = 1L;

        private final transient Outcome outcome;

        Rejection(final Outcome outcome, final String message) {
            super(message, null, false, false);
            this.outcome = outcome;
        }
    }
}
