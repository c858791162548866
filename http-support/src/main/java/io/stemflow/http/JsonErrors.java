package io.stemflow.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error of every stemflow HTTP service is {@code {"error": "<code>", "message": "<what is wrong>"}}:
 * the answers of the services' own routes, and those Jetty writes itself before any route runs (a bad
 * request line or URI: 400, a URI too long: 414, headers too large: 431), which are HTML otherwise.
 * The message never repeats what the client sent (no reflected text).
 */
public final class JsonErrors {

    public static final String JSON = "application/json";

    private JsonErrors() {
    }

    /** The error body: {@code code} a short snake_case word, {@code message} a sentence. */
    public static String body(final String code, final String message) {
        return "{\"error\":" + quote(code) + ",\"message\":" + quote(message) + "}";
    }

    /** Answers {@code status} with the error body and stops the request's other handlers. */
    public static void answer(final Context ctx, final int status, final String code, final String message) {
        ctx.status(status).contentType(JSON).result(body(code, message));
        ctx.skipRemainingHandlers();
    }

    /**
     * Installs the JSON error handler on Jetty (its own errors) and JSON bodies for Javalin's 404 and 405
     * when a route left them without a body.
     */
    public static void install(final JavalinConfig config) {
        config.jetty.modifyServer(server -> server.setErrorHandler(new JettyJsonErrors()));
        config.routes.error(HttpStatus.NOT_FOUND.getCode(), ctx -> fillIfEmpty(ctx, "not_found",
                "no such resource: " + ctx.method().name() + " of this path"));
        config.routes.error(HttpStatus.METHOD_NOT_ALLOWED.getCode(), ctx -> fillIfEmpty(ctx, "method_not_allowed",
                "this path does not answer " + ctx.method().name()));
    }

    private static void fillIfEmpty(final Context ctx, final String code, final String message) {
        final String result = ctx.result();
        if (result == null || result.isEmpty() || !isJson(ctx.res().getContentType())) {
            ctx.contentType(JSON).result(body(code, message));
        }
    }

    private static boolean isJson(final String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
    }

    /** A JSON string literal of {@code text}, every control and non-ASCII character escaped. */
    public static String quote(final String text) {
        final StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String codeOf(final int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 421 -> "misdirected_request";
            case 429 -> "too_many_requests";
            case 431 -> "request_header_fields_too_large";
            case 500 -> "internal_error";
            case 503 -> "unavailable";
            default -> "http_" + status;
        };
    }

    static String messageOf(final int status) {
        return switch (status) {
            case 400 -> "the request could not be read as HTTP (request line, URI or headers malformed)";
            case 408 -> "the request was not received in time";
            case 413 -> "the request body is too large";
            case 414 -> "the request URI is too long";
            case 431 -> "the request headers are too large";
            case 500 -> "the server failed to handle the request";
            default -> "the request failed with HTTP status " + status;
        };
    }

    /** Jetty's own errors as JSON (its default is an HTML page, or JSON of another shape). */
    static final class JettyJsonErrors extends ErrorHandler {

        JettyJsonErrors() {
            setShowStacks(false);
            setShowCauses(false);
        }

        @Override
        protected void generateResponse(final Request request, final Response response, final int code,
                                        final String message, final Throwable cause, final Callback callback)
                throws IOException {
            final byte[] bytes = body(codeOf(code), messageOf(code)).getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString());
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }

        @Override
        public ByteBuffer badMessageError(final int status, final String reason, final HttpFields.Mutable fields) {
            fields.put(new HttpField(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString()));
            return ByteBuffer.wrap(body(codeOf(status), messageOf(status)).getBytes(StandardCharsets.UTF_8));
        }
    }
}
