package io.stemflow.bridge.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.stemflow.bridge.BridgeMetrics;
import io.stemflow.bridge.Outcome;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every endpoint of the bridge, and JSON errors for everything else:
 * <ul>
 *   <li>{@code POST /callbacks/{requestId}?token=...}: {@link CallbackEndpoint};</li>
 *   <li>{@code GET /health/live}: 200 while the process serves HTTP;</li>
 *   <li>{@code GET /health/ready}: 200 while Kafka takes results and the bridge is not stopping, else 503;</li>
 *   <li>{@code GET /metrics}: Prometheus text format;</li>
 *   <li>anything else: 404, or 405 for a known path with another method.</li>
 * </ul>
 */
public final class BridgeRoutes {

    public static final String CALLBACK_PATH = "/callbacks/{" + CallbackEndpoint.REQUEST_ID + "}";
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(BridgeRoutes.class);

    private BridgeRoutes() {
    }

    public static void addTo(final RoutesConfig routes, final CallbackEndpoint callbacks, final BooleanSupplier ready,
                             final BridgeMetrics metrics, final Responses responses) {
        routes.post(CALLBACK_PATH, callbacks);
        routes.get("/health/live", ctx -> responses.health(ctx, true, null));
        routes.get("/health/ready", ctx -> {
            final boolean up = ready.getAsBoolean();
            responses.health(ctx, up, up ? null : "Kafka is unreachable or the bridge is stopping");
        });
        routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_CONTENT_TYPE).result(metrics.scrape()));

        routes.exception(HttpResponseException.class, (e, ctx) -> refuse(ctx, e.getStatus(), responses));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
            responses.error(ctx, Outcome.INTERNAL_ERROR, "Internal error");
        });
        routes.error(404, ctx -> {
            if (!answered(ctx)) {
                refuse(ctx, 404, responses);
            }
        });
        routes.error(405, ctx -> {
            if (!answered(ctx)) {
                refuse(ctx, 405, responses);
            }
        });
    }

    private static boolean answered(final Context ctx) {
        final String result = ctx.result();
        return result != null && !result.isEmpty();
    }

    private static void refuse(final Context ctx, final int status, final Responses responses) {
        switch (status) {
            case 404 -> responses.error(ctx, Outcome.NOT_FOUND, "No such endpoint: " + ctx.method() + " " + ctx.path()
                    + " (callbacks go to POST /callbacks/{requestId}?token=...)");
            case 405 -> responses.error(ctx, Outcome.METHOD_NOT_ALLOWED, "Method " + ctx.method() + " is not allowed on "
                    + ctx.path());
            case 413 -> responses.error(ctx, Outcome.PAYLOAD_TOO_LARGE, "The body is too large");
            default -> responses.error(ctx, status >= 500 ? Outcome.INTERNAL_ERROR : Outcome.INVALID_PAYLOAD,
                    "HTTP " + status);
        }
    }
}
