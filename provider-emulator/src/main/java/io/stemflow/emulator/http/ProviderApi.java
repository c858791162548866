package io.stemflow.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stemflow.emulator.SeparationMode;
import io.stemflow.emulator.core.EmulatorState;
import io.stemflow.emulator.core.LinkService.RecordInfoLinks;
import io.stemflow.emulator.task.EmulatedTask;
import io.stemflow.emulator.task.TaskJson;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The provider's three endpoints. Every call goes through the same gate, in this order:
 * <ol>
 *   <li>{@code Authorization: Bearer <key>} missing or not accepted: 401 (does not touch the rate window);</li>
 *   <li>maintenance active: 455 (does not touch the rate window);</li>
 *   <li>inside a scheduled 430 burst: 430 whatever the rate window holds, as a provider that throttles
 *       everyone for a while answers (does not touch the rate window);</li>
 *   <li>sliding rate window full for the key: 430 (or 405); a refused call does not consume the window;</li>
 *   <li>injected server error (fault share): 500 (the call did consume the window);</li>
 * </ol>
 * then the endpoint's own checks (413, 400, 429 for generate). record-info answers 400 for an unknown task, a
 * task of another key, or a gone task whose links expired ({@link io.stemflow.emulator.LinkFate#GONE}), all with
 * the same body; for a task whose original links expired early it issues fresh links.
 */
public final class ProviderApi {

    public static final String GENERATE = "/api/v1/vocal-removal/generate";
    public static final String RECORD_INFO = "/api/v1/vocal-removal/record-info";
    public static final String CREDIT = "/api/v1/generate/credit";

    private final EmulatorState state;
    private final ApiAnswers answers;

    public ProviderApi(final EmulatorState state) {
        this.state = state;
        this.answers = new ApiAnswers(state);
    }

    public void register(final RoutesConfig routes) {
        routes.post(GENERATE, this::generate);
        routes.get(RECORD_INFO, this::recordInfo);
        routes.get(CREDIT, this::credit);
    }

    /** Answers a path or method the provider does not serve. */
    public void notFound(final Context ctx) {
        answers.error(ctx, 404, ApiAnswers.NOT_FOUND);
    }

    /** Answers an unexpected failure inside the emulator. */
    public void serverError(final Context ctx) {
        answers.error(ctx, 500, ApiAnswers.SERVER_ERROR);
    }

    /** Answers a body the server refused to read because it was too large. */
    public void tooLarge(final Context ctx) {
        answers.error(ctx, 413, ApiAnswers.TOO_LONG);
    }

    private void generate(final Context ctx) {
        final Optional<String> keyId = admit(ctx);
        if (keyId.isEmpty()) {
            return;
        }
        final int max = state.config().maxBodyBytes();
        if (ctx.contentLength() > max) {
            tooLarge(ctx);
            return;
        }
        final byte[] body = ctx.bodyAsBytes();
        if (body.length > max) {
            tooLarge(ctx);
            return;
        }
        final GenerateRequest request;
        try {
            request = GenerateRequest.parse(state, body);
        } catch (final InvalidRequest e) {
            answers.error(ctx, 400, ApiAnswers.INVALID + ": " + e.getMessage());
            return;
        }
        final long cost = state.config().costOf(request.mode());
        if (!state.credits().tryCharge(keyId.get(), cost)) {
            answers.error(ctx, 429, ApiAnswers.NO_CREDITS);
            return;
        }
        final EmulatedTask task = state.taskService().accept(new EmulatedTask.Request(keyId.get(),
                request.taskId(), request.audioId(), request.mode(), request.callBackUrl()), state.faults(),
                state.linkExpiry(), cost);
        answers.ok(ctx, TaskJson.accepted(task.id()));
    }

    private void recordInfo(final Context ctx) {
        final Optional<String> keyId = admit(ctx);
        if (keyId.isEmpty()) {
            return;
        }
        final String taskId = ctx.queryParam("taskId");
        if (taskId == null || taskId.isBlank()) {
            answers.error(ctx, 400, ApiAnswers.INVALID + ": taskId is required");
            return;
        }
        final Optional<EmulatedTask> task = state.tasks().byId(taskId.trim())
                .filter(t -> t.request().keyId().equals(keyId.get()));
        if (task.isEmpty()) {
            answers.error(ctx, 400, ApiAnswers.UNKNOWN_TASK);
            return;
        }
        final Instant now = state.time().now();
        final RecordInfoLinks links = state.links().forRecordInfo(task.get(), now);
        if (links instanceof RecordInfoLinks.Original original) {
            answers.ok(ctx, state.json().recordInfo(task.get(), now, original.fileToken()));
        } else if (links instanceof RecordInfoLinks.Fresh fresh) {
            answers.ok(ctx, state.json().recordInfo(task.get(), now, fresh.fileToken()));
        } else {
            answers.error(ctx, 400, ApiAnswers.UNKNOWN_TASK);
        }
    }

    private void credit(final Context ctx) {
        final Optional<String> keyId = admit(ctx);
        if (keyId.isEmpty()) {
            return;
        }
        answers.ok(ctx, LongNode.valueOf(state.credits().balance(keyId.get())));
    }

    /** The common gate; answers and returns empty when the call stops here. */
    private Optional<String> admit(final Context ctx) {
        final Optional<String> keyId = state.apiKeys().authenticate(ctx.header("Authorization"));
        if (keyId.isEmpty()) {
            answers.error(ctx, 401, ApiAnswers.UNAUTHORIZED);
            return Optional.empty();
        }
        if (state.maintenance().active()) {
            answers.error(ctx, 455, ApiAnswers.MAINTENANCE);
            return Optional.empty();
        }
        if (state.bursts().active()) {
            answers.error(ctx, 430, ApiAnswers.TOO_FREQUENT);
            return Optional.empty();
        }
        final OptionalInt inWindow = state.limiter().tryAcquire(keyId.get());
        if (inWindow.isEmpty()) {
            final int code = state.limiter().limit().refusalCode();
            answers.error(ctx, code, code == 405 ? ApiAnswers.RATE_LIMITED : ApiAnswers.TOO_FREQUENT);
            return Optional.empty();
        }
        state.counters().windowObserved(inWindow.getAsInt());
        if (state.drawServerError()) {
            serverError(ctx);
            return Optional.empty();
        }
        return keyId;
    }

    /** A validated generate body. */
    private record GenerateRequest(String taskId, String audioId, SeparationMode mode, String callBackUrl) {

        static GenerateRequest parse(final EmulatorState state, final byte[] body) throws InvalidRequest {
            final JsonNode root;
            try {
                root = state.mapper().readTree(body);
            } catch (final IOException e) {
                throw new InvalidRequest("body is not JSON");
            }
            if (root == null || !root.isObject()) {
                throw new InvalidRequest("body must be a JSON object");
            }
            final String taskId = requiredText(root, "taskId");
            final String audioId = requiredText(root, "audioId");
            final JsonNode type = root.get("type");
            final SeparationMode mode;
            if (type == null || type.isNull()) {
                mode = SeparationMode.SEPARATE_VOCAL;
            } else if (type.isTextual()) {
                mode = SeparationMode.fromWireName(type.asText())
                        .orElseThrow(() -> new InvalidRequest("type must be separate_vocal or split_stem"));
            } else {
                throw new InvalidRequest("type must be separate_vocal or split_stem");
            }
            final String callBackUrl = requiredText(root, "callBackUrl");
            checkCallbackUrl(callBackUrl);
            return new GenerateRequest(taskId, audioId, mode, callBackUrl);
        }

        private static String requiredText(final JsonNode root, final String field) throws InvalidRequest {
            final JsonNode node = root.get(field);
            if (node == null || !node.isTextual() || node.asText().isBlank()) {
                throw new InvalidRequest(field + " is required and must be a non-empty string");
            }
            return node.asText();
        }

        private static void checkCallbackUrl(final String url) throws InvalidRequest {
            try {
                final URI uri = new URI(url);
                final String scheme = uri.getScheme();
                if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || uri.getHost() == null) {
                    throw new InvalidRequest("callBackUrl must be an absolute http(s) URL");
                }
            } catch (final URISyntaxException e) {
                throw new InvalidRequest("callBackUrl must be an absolute http(s) URL");
            }
        }
    }

    /** A 400 reason; checked so every validation path is forced to answer. */
    private static final class InvalidRequest extends Exception {
        InvalidRequest(final String reason) {
            super(reason, null, false, false);
        }
    }
}
