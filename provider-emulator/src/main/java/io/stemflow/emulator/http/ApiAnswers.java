package io.stemflow.emulator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.stemflow.emulator.core.EmulatorState;
import io.stemflow.emulator.task.TaskJson;

/**
 * Writes the provider's envelope {@code {"code", "msg", "data"}} and counts it by code. The HTTP status is 200,
 * or the code itself when the "HTTP status mirrors code" knob is on, so clients can be tested both ways.
 */
final class ApiAnswers {

    static final String UNAUTHORIZED = "Unauthorized";
    static final String NOT_FOUND = "Not found";
    static final String INVALID = "Invalid parameters";
    /** record-info's message for an unknown task (also another key's, and a gone one's). */
    static final String UNKNOWN_TASK = INVALID + ": no task with this taskId";
    static final String TOO_LONG = "Input too long";
    static final String NO_CREDITS = "Insufficient credits";
    static final String TOO_FREQUENT = "Call frequency too high, try again later";
    static final String RATE_LIMITED = "Rate limit exceeded";
    static final String MAINTENANCE = "System maintenance";
    static final String SERVER_ERROR = "Server error";

    private final EmulatorState state;

    ApiAnswers(final EmulatorState state) {
        this.state = state;
    }

    void ok(final Context ctx, final JsonNode data) {
        write(ctx, 200, "success", data);
    }

    void error(final Context ctx, final int code, final String msg) {
        write(ctx, code, msg, null);
    }

    private void write(final Context ctx, final int code, final String msg, final JsonNode data) {
        state.counters().request(code);
        final byte[] body;
        try {
            body = state.mapper().writeValueAsBytes(TaskJson.envelope(code, msg, data));
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot render a provider answer with code " + code, e);
        }
        ctx.status(state.httpStatusMirrorsCode() ? code : 200);
        ctx.contentType("application/json");
        ctx.result(body);
    }
}
