package io.stemflow.bridge.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.stemflow.avro.SeparationResult;
import io.stemflow.bridge.CallbackLimits;
import io.stemflow.bridge.CallbackParser;
import io.stemflow.bridge.InvalidCallbackException;
import io.stemflow.bridge.Outcome;
import io.stemflow.bridge.ProviderCallback;
import io.stemflow.bridge.ReplayCache;
import io.stemflow.bridge.ResultMapper;
import io.stemflow.bridge.WebhookSignature;
import io.stemflow.bridge.kafka.CallbackPublisher;
import io.stemflow.bridge.kafka.PublishException;
import io.stemflow.http.LogText;
import io.stemflow.http.RateLimitedLog;
import io.stemflow.schemas.provider.CallbackToken;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /callbacks/{requestId}?token=...}: one provider callback into one Kafka record.
 *
 * <p>The checks run cheapest and least revealing first, and nothing is read that a check can
 * refuse without reading: the bridge stopping (503), this client's callbacks in progress (429), the
 * token in its one canonical spelling (401), the content type (415), the signature's headers and
 * timestamp (401), the declared size (413); then the body is read without holding a thread, within
 * what is left of the read deadline counted from the request's first byte (408, connection closed),
 * its counted size (413), its JSON (400), the signature over {@code data.task_id} (401), and whether
 * that signature was used before (the same callback again: 200, nothing produced; another body or
 * requestId: 401; the replay cache full: 503). Only then is the result produced, and the answer is
 * 200 only once the broker acknowledged it; 503 with {@code Retry-After} when Kafka did not within
 * the bound. Every authentication failure gets the same generic message. Text from the caller is
 * escaped ({@link LogText}) before it is logged, and refusals are logged at most once per kind and
 * interval ({@link RateLimitedLog}).
 */
public final class CallbackEndpoint implements Handler, AutoCloseable {

    /** What every authentication failure says: nothing about which check failed. */
    public static final String UNAUTHORIZED_MESSAGE = "The callback could not be authenticated";
    /** The path parameter holding the requestId. */
    public static final String REQUEST_ID = "requestId";
    /** One warning per kind of refusal per interval at most; the next one says how many were left out. */
    public static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(CallbackEndpoint.class);
    private static final String TOKEN_PARAMETER = "token=";

    private final CallbackToken token;
    private final Optional<WebhookSignature> signature;
    private final Optional<ReplayCache> replays;
    private final CallbackParser parser;
    private final ResultMapper mapper;
    private final CallbackPublisher publisher;
    private final BodyReader bodyReader;
    private final ClientLimiter clients;
    private final Duration readTimeout;
    private final ScheduledExecutorService timer;
    private final RequestGate gate;
    private final Responses responses;
    private final RateLimitedLog warnings;

    public CallbackEndpoint(final CallbackToken token, final Optional<WebhookSignature> signature,
                            final Optional<ReplayCache> replays, final CallbackParser parser, final ResultMapper mapper,
                            final CallbackPublisher publisher, final int maxBodyBytes, final CallbackLimits limits,
                            final RequestGate gate, final Responses responses) {
        this.token = Objects.requireNonNull(token, "token");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.replays = Objects.requireNonNull(replays, "replays");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "bridge-read-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        this.bodyReader = new BodyReader(maxBodyBytes, timer, System::nanoTime);
        this.clients = new ClientLimiter(limits.maxRequestsPerClient());
        this.readTimeout = limits.readTimeout();
        this.gate = Objects.requireNonNull(gate, "gate");
        this.responses = Objects.requireNonNull(responses, "responses");
        this.warnings = new RateLimitedLog(LOG, WARNING_INTERVAL);
    }

    @Override
    public void handle(final Context ctx) {
        if (!gate.enter()) {
            responses.error(ctx, Outcome.SHUTTING_DOWN, "The bridge is shutting down: retry later");
            return;
        }
        final String client = ctx.req().getRemoteAddr();
        if (!clients.tryAcquire(client)) {
            gate.exit();
            warnings.warn("too-many-requests", "Callback refused with 429: client {} has {} callbacks in progress",
                    LogText.escape(client), clients.maxPerClient());
            responses.error(ctx, Outcome.TOO_MANY_REQUESTS, "Too many callbacks in progress from this client: retry later");
            return;
        }
        final Runnable done = () -> {
            clients.release(client);
            gate.exit();
        };
        boolean reading = false;
        try {
            final Checked checked = checkBeforeBody(ctx);
            ctx.future(() -> bodyReader.read(servletInput(ctx), checked.deadlineNanos())
                    .thenAccept(result -> finish(ctx, checked, result))
                    .whenComplete((ignored, failure) -> done.run()));
            reading = true;
        } catch (Rejection rejection) {
            responses.error(ctx, rejection.outcome, rejection.getMessage());
        } finally {
            if (!reading) {
                done.run();
            }
        }
    }

    /** Stops the read deadlines' timer (the bridge is closing). */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** The checks that need no body, in order; what they found, for the checks after the body. */
    private Checked checkBeforeBody(final Context ctx) throws Rejection {
        final String requestId = ctx.pathParam(REQUEST_ID);
        if (!token.verify(requestId, canonicalToken(ctx.req().getQueryString()))) {
            warnings.warn("bad-token", "Callback for request '{}' refused: missing or invalid token",
                    LogText.escape(requestId));
            throw new Rejection(Outcome.BAD_TOKEN, UNAUTHORIZED_MESSAGE);
        }
        final String contentType = ctx.header("Content-Type");
        if (!MediaTypes.isJson(contentType)) {
            throw rejected(requestId, Outcome.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json (UTF-8), was "
                    + (contentType == null ? "missing" : "'" + LogText.escape(contentType) + "'"));
        }
        final String timestamp = ctx.header(WebhookSignature.TIMESTAMP_HEADER);
        final String signed = ctx.header(WebhookSignature.SIGNATURE_HEADER);
        if (signature.isPresent()) {
            checkSignature(requestId, signature.get().precheck(timestamp, signed));
        }
        final long declared = ctx.req().getContentLengthLong();
        if (bodyReader.declaredTooLarge(declared) && !bodyReader.drainable(declared)) {
            ctx.header("Connection", "close");
            throw rejected(requestId, Outcome.PAYLOAD_TOO_LARGE, tooLarge() + " (Content-Length: " + declared + ")");
        }
        return new Checked(requestId, timestamp, signed, declared, requestBegan(ctx) + readTimeout.toNanos());
    }

    /** After the body: its size, JSON, signature, replay, then the publish. Never throws: every path answers. */
    private void finish(final Context ctx, final Checked checked, final BodyReader.Result result) {
        try {
            final byte[] body = body(ctx, checked, result);
            accept(ctx, checked, body);
        } catch (Rejection rejection) {
            responses.error(ctx, rejection.outcome, rejection.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure answering the callback for request '{}'", LogText.escape(checked.requestId()), e);
            responses.error(ctx, Outcome.INTERNAL_ERROR, "Internal error");
        }
    }

    private byte[] body(final Context ctx, final Checked checked, final BodyReader.Result result) throws Rejection {
        if (result instanceof BodyReader.TimedOut) {
            ctx.header("Connection", "close");
            throw rejected(checked.requestId(), Outcome.REQUEST_TIMEOUT, "The request was not received within "
                    + readTimeout.toMillis() + " ms");
        }
        if (result instanceof BodyReader.Broken) {
            ctx.header("Connection", "close");
            throw rejected(checked.requestId(), Outcome.MALFORMED_JSON, "The body could not be read to its end");
        }
        if (result instanceof BodyReader.TooLarge tooLarge) {
            if (!tooLarge.drained()) {
                ctx.header("Connection", "close");
            }
            throw rejected(checked.requestId(), Outcome.PAYLOAD_TOO_LARGE, tooLarge()
                    + (bodyReader.declaredTooLarge(checked.declaredLength())
                    ? " (Content-Length: " + checked.declaredLength() + ")" : ""));
        }
        return ((BodyReader.Body) result).bytes();
    }

    private void accept(final Context ctx, final Checked checked, final byte[] body) throws Rejection {
        final String requestId = checked.requestId();
        final ProviderCallback callback;
        try {
            callback = parser.parse(body);
        } catch (InvalidCallbackException e) {
            throw rejected(requestId, e.outcome(), e.getMessage());
        }
        Optional<ReplayCache.Signed> claimed = Optional.empty();
        if (signature.isPresent()) {
            checkSignature(requestId, signature.get().verify(callback.taskId(), checked.timestamp(), checked.signed()));
            if (replays.isPresent()) {
                final ReplayCache.Signed signed = ReplayCache.Signed.of(callback.taskId(), checked.timestamp().trim(),
                        requestId, body);
                if (replayed(ctx, requestId, replays.get().claim(signed))) {
                    return;
                }
                claimed = Optional.of(signed);
            }
        }
        final SeparationResult result = mapper.toResult(requestId, callback);
        boolean stored = false;
        try {
            publisher.publish(requestId, result);
            stored = true;
        } catch (PublishException e) {
            if (e.kind() == PublishException.Kind.UNAVAILABLE) {
                warnings.warn("kafka-unavailable", "Callback for request '{}' not stored, answered 503: {}",
                        LogText.escape(requestId), e.getMessage());
                throw new Rejection(Outcome.KAFKA_UNAVAILABLE, "The result could not be stored now: retry later");
            }
            LOG.error("Callback for request '{}' refused by Kafka, answered 500", LogText.escape(requestId), e);
            throw new Rejection(Outcome.PUBLISH_FAILED, "The result could not be stored");
        } finally {
            final boolean inKafka = stored;
            claimed.ifPresent(signed -> {
                if (inKafka) {
                    replays.get().stored(signed);
                } else {
                    replays.get().release(signed);
                }
            });
        }
        LOG.debug("Callback for request '{}' (task {}, code {}) stored", LogText.escape(requestId),
                LogText.escape(callback.taskId()), callback.code());
        responses.accepted(ctx, requestId);
    }

    /** True when the answer is given already (a repeat: 200, nothing produced); throws for a conflict or a full cache. */
    private boolean replayed(final Context ctx, final String requestId, final ReplayCache.Verdict verdict)
            throws Rejection {
        switch (verdict) {
            case FIRST -> {
                return false;
            }
            case REPEAT -> {
                LOG.debug("Callback for request '{}' already stored by this instance: 200, nothing produced",
                        LogText.escape(requestId));
                responses.replayed(ctx, requestId);
                return true;
            }
            case CONFLICT -> {
                warnings.warn("replay-conflict", "Callback for request '{}' refused: its signature was used before with"
                        + " another body or for another request", LogText.escape(requestId));
                throw new Rejection(Outcome.REPLAY_CONFLICT, UNAUTHORIZED_MESSAGE);
            }
            default -> {
                warnings.warn("replay-cache-full", "Callback for request '{}' refused with 503: the replay cache holds {}"
                        + " signatures not yet expired", LogText.escape(requestId), replays.get().maxEntries());
                throw new Rejection(Outcome.REPLAY_CACHE_FULL, "Too many signed callbacks to remember now: retry later");
            }
        }
    }

    private void checkSignature(final String requestId, final WebhookSignature.Verdict verdict) throws Rejection {
        if (verdict != WebhookSignature.Verdict.VALID) {
            warnings.warn("bad-signature", "Callback for request '{}' refused: webhook signature {}",
                    LogText.escape(requestId), verdict);
            throw new Rejection(verdict == WebhookSignature.Verdict.STALE ? Outcome.STALE_SIGNATURE : Outcome.BAD_SIGNATURE,
                    UNAUTHORIZED_MESSAGE);
        }
    }

    private String tooLarge() {
        return "The body exceeds the limit of " + bodyReader.maxBytes() + " bytes";
    }

    private Rejection rejected(final String requestId, final Outcome outcome, final String message) {
        warnings.warn("refused-" + outcome.label(), "Callback for request '{}' refused with {}: {}",
                LogText.escape(requestId), outcome.status(), message);
        return new Rejection(outcome, message);
    }

    /**
     * The token as sent, when the raw query holds exactly one {@code token=} parameter written without
     * percent-encoding, else null (refused). The token's alphabet needs no encoding, so an encoded or
     * repeated token is another spelling of the URL the submitter made, and only that URL is accepted.
     */
    static String canonicalToken(final String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        String found = null;
        for (final String parameter : rawQuery.split("&", -1)) {
            if (parameter.startsWith(TOKEN_PARAMETER)) {
                if (found != null) {
                    return null;
                }
                found = parameter.substring(TOKEN_PARAMETER.length());
            }
        }
        return found == null || found.indexOf('%') >= 0 || found.indexOf('+') >= 0 ? null : found;
    }

    /** The nanoTime at which the request's first byte arrived (Jetty's), so the deadline covers the headers too. */
    private static long requestBegan(final Context ctx) {
        final ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        return request == null ? System.nanoTime() : request.getBeginNanoTime();
    }

    private static ServletInputStream servletInput(final Context ctx) {
        try {
            return ctx.req().getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("The request body cannot be opened", e);
        }
    }

    /** What the checks before the body found. */
    private record Checked(String requestId, String timestamp, String signed, long declaredLength, long deadlineNanos) {
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
