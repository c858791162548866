package io.stemflow.emulator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.stemflow.emulator.EmulatorControl;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.LinkExpiry;
import io.stemflow.emulator.RateLimit;
import io.stemflow.service.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /admin}: JSON over HTTP, one route per {@link EmulatorControl} operation.
 *
 * <p>Access: while bearer tokens are checked ({@link io.stemflow.http.HttpAccess} in front of every route,
 * {@code /admin} guarded), the emulator's front door has already decided: a viewer token reads, an operator
 * token or the admin token ({@code X-Admin-Token}) also changes. Without that check (no bearer token configured,
 * or {@code STEMFLOW_HTTP_AUTH=off}) the old rules hold here: when an admin token is configured, every call must
 * carry it in {@code X-Admin-Token} (else 401); without one, only loopback callers are served (else 403).
 * Errors answer {@code {"error": "..."}} with 400.
 */
public final class AdminApi {

    /** Header carrying the admin token. */
    public static final String TOKEN_HEADER = "X-Admin-Token";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final EmulatorControl control;
    private final Optional<Secret> adminToken;
    private final boolean tokensChecked;
    private final ObjectMapper mapper;

    /** @param tokensChecked whether the front door checks bearer tokens (and the admin token) on {@code /admin} */
    public AdminApi(final EmulatorControl control, final Optional<Secret> adminToken, final boolean tokensChecked,
                    final ObjectMapper mapper) {
        this.control = control;
        this.adminToken = adminToken;
        this.tokensChecked = tokensChecked;
        this.mapper = mapper;
    }

    public void register(final RoutesConfig routes) {
        routes.get("/admin/info", guarded(this::info));
        routes.get("/admin/counters", guarded(ctx -> json(ctx, control.counters())));
        routes.post("/admin/counters/reset", guarded(ctx -> {
            control.resetCounters();
            json(ctx, control.counters());
        }));
        routes.get("/admin/credits", guarded(ctx -> json(ctx, mapper.createObjectNode()
                .set("balances", mapper.valueToTree(control.creditsByKeyId())))));
        routes.put("/admin/credits", guarded(this::setCredits));
        routes.post("/admin/credits/top-up", guarded(this::topUp));
        routes.get("/admin/rate-limit", guarded(ctx -> json(ctx, rateLimitJson())));
        routes.put("/admin/rate-limit", guarded(this::setRateLimit));
        routes.get("/admin/maintenance", guarded(ctx -> json(ctx, maintenanceJson())));
        routes.put("/admin/maintenance", guarded(this::setMaintenance));
        routes.post("/admin/maintenance/windows", guarded(this::addMaintenanceWindow));
        routes.delete("/admin/maintenance/windows", guarded(ctx -> {
            control.clearMaintenance();
            json(ctx, maintenanceJson());
        }));
        routes.get("/admin/faults", guarded(ctx -> json(ctx, control.faults())));
        routes.put("/admin/faults", guarded(this::setFaults));
        routes.get("/admin/link-expiry", guarded(ctx -> json(ctx, linkExpiryJson())));
        routes.put("/admin/link-expiry", guarded(this::setLinkExpiry));
        routes.get("/admin/link-expiry/tasks", guarded(this::linkExpiryTasks));
        routes.get("/admin/http-status", guarded(ctx -> json(ctx, httpStatusJson())));
        routes.put("/admin/http-status", guarded(this::setHttpStatus));
    }

    private Handler guarded(final Handler handler) {
        return ctx -> {
            if (tokensChecked) {
                // the front door (HttpAccess) admitted this caller with a role fit for the method
            } else if (adminToken.isPresent()) {
                if (!adminToken.get().matches(ctx.header(TOKEN_HEADER))) {
                    error(ctx, 401, "admin token missing or wrong (header " + TOKEN_HEADER + ")");
                    return;
                }
            } else if (!isLoopback(ctx.req().getRemoteAddr())) {
                error(ctx, 403, "the admin API answers loopback callers only when no admin token is configured");
                return;
            }
            try {
                handler.handle(ctx);
            } catch (final IllegalArgumentException | BadRequest e) {
                error(ctx, 400, e.getMessage());
            }
        };
    }

    private void info(final Context ctx) {
        final ObjectNode info = mapper.createObjectNode();
        info.put("seed", control.seed());
        info.set("keyIds", mapper.valueToTree(control.keyIds()));
        info.put("tasks", control.taskCount());
        json(ctx, info);
    }

    private void setCredits(final Context ctx) throws BadRequest {
        final JsonNode body = body(ctx);
        final String keyId = keyId(body);
        control.setCreditsByKeyId(keyId, requiredLong(body, "credits"));
        json(ctx, creditsJson(keyId));
    }

    private void topUp(final Context ctx) throws BadRequest {
        final JsonNode body = body(ctx);
        final String keyId = keyId(body);
        control.topUpByKeyId(keyId, requiredLong(body, "amount"));
        json(ctx, creditsJson(keyId));
    }

    private ObjectNode creditsJson(final String keyId) {
        return mapper.createObjectNode().put("keyId", keyId).put("credits", control.creditsByKeyId().get(keyId));
    }

    /** The key named by {@code apiKey} (in clear) or {@code keyId}. */
    private String keyId(final JsonNode body) throws BadRequest {
        final JsonNode apiKey = body.get("apiKey");
        final JsonNode keyId = body.get("keyId");
        if (apiKey != null && apiKey.isTextual()) {
            return control.keyId(apiKey.asText());
        }
        if (keyId != null && keyId.isTextual() && control.keyIds().contains(keyId.asText())) {
            return keyId.asText();
        }
        throw new BadRequest("name an accepted key with \"apiKey\" or \"keyId\" (ids: " + control.keyIds() + ")");
    }

    private void setRateLimit(final Context ctx) throws BadRequest {
        final JsonNode body = body(ctx);
        final RateLimit current = control.rateLimit();
        control.setRateLimit(new RateLimit(
                (int) optionalLong(body, "requests", current.requests()),
                Duration.ofMillis(optionalLong(body, "windowMs", current.window().toMillis())),
                (int) optionalLong(body, "refusalCode", current.refusalCode())));
        json(ctx, rateLimitJson());
    }

    private ObjectNode rateLimitJson() {
        final RateLimit limit = control.rateLimit();
        return mapper.createObjectNode().put("requests", limit.requests()).put("windowMs", limit.window().toMillis())
                .put("refusalCode", limit.refusalCode());
    }

    private void setMaintenance(final Context ctx) throws BadRequest {
        final JsonNode enabled = body(ctx).get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
            throw new BadRequest("\"enabled\" must be true or false");
        }
        control.setMaintenance(enabled.asBoolean());
        json(ctx, maintenanceJson());
    }

    private void addMaintenanceWindow(final Context ctx) throws BadRequest {
        final JsonNode body = body(ctx);
        final long durationMs = requiredLong(body, "durationMs");
        if (durationMs <= 0) {
            throw new BadRequest("\"durationMs\" must be positive");
        }
        control.scheduleMaintenanceIn(Duration.ofMillis(optionalLong(body, "startInMs", 0)),
                Duration.ofMillis(durationMs));
        json(ctx, maintenanceJson());
    }

    private ObjectNode maintenanceJson() {
        final ObjectNode node = mapper.createObjectNode();
        node.put("active", control.maintenanceActive());
        node.put("enabled", control.maintenance());
        final var windows = node.putArray("windows");
        control.maintenanceWindows().forEach(w -> windows.addObject()
                .put("startEpochMs", w.start().toEpochMilli()).put("endEpochMs", w.end().toEpochMilli()));
        return node;
    }

    private void setFaults(final Context ctx) throws BadRequest {
        final JsonNode body = body(ctx);
        FaultShares shares = control.faults();
        shares = share(body, "serverErrors", shares, shares::withServerErrors);
        shares = share(body, "taskFailures", shares, shares::withTaskFailures);
        shares = share(body, "partialStems", shares, shares::withPartialStems);
        shares = share(body, "duplicateCallbacks", shares, shares::withDuplicateCallbacks);
        shares = share(body, "lateCallbacks", shares, shares::withLateCallbacks);
        shares = share(body, "lostCallbacks", shares, shares::withLostCallbacks);
        control.setFaults(shares);
        json(ctx, control.faults());
    }

    private static FaultShares share(final JsonNode body, final String field, final FaultShares current,
                                     final DoubleFunction<FaultShares> with) throws BadRequest {
        final JsonNode node = body.get(field);
        if (node == null) {
            return current;
        }
        if (!node.isNumber()) {
            throw new BadRequest("\"" + field + "\" must be a number in [0, 1]");
        }
        return with.apply(node.asDouble());
    }

    private void setLinkExpiry(final Context ctx) throws BadRequest {
        final JsonNode body = body(ctx);
        LinkExpiry expiry = control.linkExpiry();
        expiry = linkShare(body, "earlyExpiryShare", expiry, expiry::withEarlyExpiryShare);
        if (body.has("earlyExpiryAfterMs")) {
            final long ms = requiredLong(body, "earlyExpiryAfterMs");
            if (ms < 0) {
                throw new BadRequest("\"earlyExpiryAfterMs\" must not be negative");
            }
            expiry = expiry.withEarlyExpiryAfter(Duration.ofMillis(ms));
        }
        expiry = linkShare(body, "goneShare", expiry, expiry::withGoneShare);
        control.setLinkExpiry(expiry);
        json(ctx, linkExpiryJson());
    }

    private static LinkExpiry linkShare(final JsonNode body, final String field, final LinkExpiry current,
                                        final DoubleFunction<LinkExpiry> with) throws BadRequest {
        final JsonNode node = body.get(field);
        if (node == null) {
            return current;
        }
        if (!node.isNumber()) {
            throw new BadRequest("\"" + field + "\" must be a number in [0, 1]");
        }
        return with.apply(node.asDouble());
    }

    private ObjectNode linkExpiryJson() {
        final LinkExpiry expiry = control.linkExpiry();
        return mapper.createObjectNode().put("earlyExpiryShare", expiry.earlyExpiryShare())
                .put("earlyExpiryAfterMs", expiry.earlyExpiryAfter().toMillis())
                .put("goneShare", expiry.goneShare());
    }

    /** {@code {"earlyExpiring": [ids, gone ones included], "gone": [ids]}}; with {@code ?taskId=} that task's fate. */
    private void linkExpiryTasks(final Context ctx) throws BadRequest {
        final String taskId = ctx.queryParam("taskId");
        if (taskId != null) {
            final String fate = control.linkFate(taskId).map(Enum::name)
                    .orElseThrow(() -> new BadRequest("no task with this taskId"));
            json(ctx, mapper.createObjectNode().put("taskId", taskId).put("linkFate", fate));
            return;
        }
        final ObjectNode node = mapper.createObjectNode();
        node.set("earlyExpiring", mapper.valueToTree(control.earlyExpiringTaskIds()));
        node.set("gone", mapper.valueToTree(control.goneTaskIds()));
        json(ctx, node);
    }

    private void setHttpStatus(final Context ctx) throws BadRequest {
        final JsonNode mirrors = body(ctx).get("mirrorsCode");
        if (mirrors == null || !mirrors.isBoolean()) {
            throw new BadRequest("\"mirrorsCode\" must be true or false");
        }
        control.setHttpStatusMirrorsCode(mirrors.asBoolean());
        json(ctx, httpStatusJson());
    }

    private ObjectNode httpStatusJson() {
        return mapper.createObjectNode().put("mirrorsCode", control.httpStatusMirrorsCode());
    }

    private JsonNode body(final Context ctx) throws BadRequest {
        try {
            final JsonNode node = mapper.readTree(ctx.bodyAsBytes());
            if (node == null || !node.isObject()) {
                throw new BadRequest("body must be a JSON object");
            }
            return node;
        } catch (final IOException e) {
            throw new BadRequest("body is not JSON");
        }
    }

    private static long requiredLong(final JsonNode body, final String field) throws BadRequest {
        final JsonNode node = body.get(field);
        if (node == null || !node.isIntegralNumber()) {
            throw new BadRequest("\"" + field + "\" must be an integer");
        }
        return node.asLong();
    }

    private static long optionalLong(final JsonNode body, final String field, final long fallback) throws BadRequest {
        return body.has(field) ? requiredLong(body, field) : fallback;
    }

    private void json(final Context ctx, final Object value) {
        try {
            ctx.status(200).contentType("application/json").result(mapper.writeValueAsBytes(value));
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot render admin answer " + value.getClass().getSimpleName(), e);
        }
    }

    private void error(final Context ctx, final int status, final String message) {
        LOG.debug("admin call {} {} refused with {}: {}", ctx.method(), ctx.path(), status, message);
        json(ctx, mapper.createObjectNode().put("error", message));
        ctx.status(status);
    }

    static boolean isLoopback(final String address) {
        try {
            return address != null
                    && InetAddress.getByName(address.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (final UnknownHostException e) {
            return false;
        }
    }

    /** A 400 reason. */
    private static final class BadRequest extends Exception {
        BadRequest(final String reason) {
            super(reason, null, false, false);
        }
    }
}
