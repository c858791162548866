package io.stemflow.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.stemflow.registry.ErrorCode;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.registry.RegistryException;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.compat.CompatibilityChecker;
import io.stemflow.http.HttpAccess;
import io.stemflow.registry.state.RegistryService;
import io.stemflow.registry.state.SchemaVersion;
import io.stemflow.registry.state.VersionRef;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API (AVRO only) over a {@link RegistryService}. Every error,
 * including unknown paths and malformed bodies, is answered as {@code {"error_code", "message"}}.
 * Before any route, the shared {@link HttpAccess} checks the {@code Host} header (421, against DNS rebinding) and that
 * a state change declares a JSON media type (415, against a browser's cross-site {@code text/plain} or form posts),
 * its refusals answered in the registry's error format; then {@link AccessCheck} decides whether the caller may
 * (401/403); a permanent delete is
 * served only when hard deletes are enabled (else 403, error code 40302), because records already written with
 * a schema's id cannot be read once the id is gone.
 */
public final class RegistryRoutes {

    /** The content type of every response. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryRoutes.class);

    private final RegistryService registry;
    private final AccessCheck access;
    private final HttpAccess http;
    private final boolean hardDelete;
    private final ObjectMapper mapper = new ObjectMapper();
    private final RequestBodies bodies = new RequestBodies(mapper);

    private RegistryRoutes(final RegistryService registry, final RegistryAccess access, final HttpAccess http,
                           final boolean hardDelete) {
        this.registry = registry;
        this.access = new AccessCheck(access);
        this.http = http;
        this.hardDelete = hardDelete;
    }

    /**
     * Declares the access check, every endpoint and error handler on {@code routes}.
     *
     * @param http       the Host and media-type checks (without bearer tokens: the registry has its own users)
     * @param hardDelete whether {@code ?permanent=true} deletes are served
     */
    public static void addTo(final RoutesConfig routes, final RegistryService registry, final RegistryAccess access,
                             final HttpAccess http, final boolean hardDelete) {
        new RegistryRoutes(registry, access, http, hardDelete).declare(routes);
    }

    /**
     * The registry's front door: the {@code Host} header may name {@code bindHost}, {@code allowedHosts}, a loopback
     * name, this machine or an IP literal; a state change must declare the registry's media type or plain JSON;
     * {@code GET /} (the health probe) passes unchecked. No bearer tokens: {@link AccessCheck} has the users.
     */
    public static HttpAccess httpAccess(final String bindHost, final List<String> allowedHosts) {
        final List<String> names = new java.util.ArrayList<>(allowedHosts);
        names.add(bindHost);
        return HttpAccess.withoutTokens().withOpenPaths("/").withHosts(names)
                .acceptingWrites(CONTENT_TYPE, "application/vnd.schemaregistry+json", "application/json");
    }

    private void declare(final RoutesConfig routes) {
        routes.before(ctx -> {
            http.check(ctx);
            if (ctx.statusCode() >= 400) {
                inRegistryFormat(ctx);
                return;
            }
            access.check(ctx);
        });
        routes.get("/", ctx -> respond(ctx, Map.of()));

        routes.get("/schemas/types", ctx -> respond(ctx, List.of("AVRO")));
        routes.get("/schemas/ids/{id}", ctx -> respond(ctx, Map.of("schema", registry.schemaById(id(ctx)))));
        routes.get("/schemas/ids/{id}/schema", ctx -> respondRaw(ctx, registry.schemaById(id(ctx))));
        routes.get("/schemas/ids/{id}/versions", ctx ->
                respond(ctx, registry.subjectVersionsOf(id(ctx), flag(ctx, "deleted"))));

        routes.get("/subjects", ctx -> respond(ctx, registry.subjects(flag(ctx, "deleted"))));
        routes.post("/subjects/{subject}", ctx -> respond(ctx,
                versionBody(registry.lookup(subject(ctx), bodies.schema(ctx.body()), flag(ctx, "deleted")))));
        routes.delete("/subjects/{subject}", ctx ->
                respond(ctx, registry.deleteSubject(subject(ctx), permanent(ctx))));
        routes.post("/subjects/{subject}/versions", ctx ->
                respond(ctx, Map.of("id", registry.register(subject(ctx), bodies.schema(ctx.body())))));
        routes.get("/subjects/{subject}/versions", ctx ->
                respond(ctx, registry.versions(subject(ctx), flag(ctx, "deleted"))));
        routes.get("/subjects/{subject}/versions/{version}", ctx ->
                respond(ctx, versionBody(registry.version(subject(ctx), version(ctx), flag(ctx, "deleted")))));
        routes.get("/subjects/{subject}/versions/{version}/schema", ctx ->
                respondRaw(ctx, registry.version(subject(ctx), version(ctx), flag(ctx, "deleted")).schema()));
        routes.delete("/subjects/{subject}/versions/{version}", ctx ->
                respond(ctx, registry.deleteVersion(subject(ctx), version(ctx), permanent(ctx))));

        routes.post("/compatibility/subjects/{subject}/versions", ctx -> respond(ctx, compatibilityBody(ctx,
                registry.checkAgainstLevel(subject(ctx), bodies.schema(ctx.body())))));
        routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> respond(ctx, compatibilityBody(ctx,
                registry.checkAgainstVersion(subject(ctx), version(ctx), bodies.schema(ctx.body())))));

        routes.get("/config", ctx -> respond(ctx, Map.of("compatibilityLevel", registry.globalLevel())));
        routes.put("/config", ctx -> respond(ctx,
                Map.of("compatibility", registry.setGlobalLevel(bodies.compatibility(ctx.body())))));
        routes.get("/config/{subject}", ctx -> respond(ctx,
                Map.of("compatibilityLevel", registry.subjectLevel(subject(ctx), flag(ctx, "defaultToGlobal")))));
        routes.put("/config/{subject}", ctx -> respond(ctx,
                Map.of("compatibility", registry.setSubjectLevel(subject(ctx), bodies.compatibility(ctx.body())))));
        routes.delete("/config/{subject}", ctx ->
                respond(ctx, Map.of("compatibilityLevel", registry.clearSubjectLevel(subject(ctx)))));

        routes.exception(RegistryException.class, (e, ctx) -> {
            if (e.errorCode() == ErrorCode.UNAUTHORIZED) {
                ctx.header("WWW-Authenticate", "Basic realm=\"" + AccessCheck.REALM + "\", charset=\"UTF-8\"");
            }
            respondError(ctx, e.errorCode().httpStatus(), e.errorCode().code(), e.getMessage());
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> respondError(ctx, e.getStatus(), e.getStatus(),
                e.getMessage() == null || e.getMessage().isBlank() ? "HTTP " + e.getStatus() : e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
            respondError(ctx, ErrorCode.INTERNAL_SERVER_ERROR.httpStatus(), ErrorCode.INTERNAL_SERVER_ERROR.code(),
                    "Internal server error");
        });
    }

    private static String subject(final Context ctx) {
        return ctx.pathParam("subject");
    }

    private static VersionRef version(final Context ctx) {
        return VersionRef.parse(ctx.pathParam("version"));
    }

    private static int id(final Context ctx) {
        final String text = ctx.pathParam("id");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound("id '" + text + "'");
        }
    }

    private static boolean flag(final Context ctx, final String name) {
        return Boolean.parseBoolean(ctx.queryParam(name));
    }

    /** The {@code permanent} flag of a delete; refused unless hard deletes are enabled. */
    private boolean permanent(final Context ctx) {
        final boolean permanent = flag(ctx, "permanent");
        if (permanent && !hardDelete) {
            throw new RegistryException(ErrorCode.HARD_DELETE_DISABLED, "Permanent deletes are disabled on this "
                    + "registry: records already written with a schema's id could no longer be read. A soft delete "
                    + "(without permanent=true) hides a subject or version; set "
                    + RegistryConfig.ENV_HARD_DELETE + "=true to allow permanent deletes");
        }
        return permanent;
    }

    /** A refusal of {@link HttpAccess} (421, 415) as {@code {"error_code", "message"}}, as every registry error. */
    private void inRegistryFormat(final Context ctx) {
        String message = "HTTP " + ctx.statusCode();
        try {
            message = mapper.readTree(ctx.result() == null ? "{}" : ctx.result()).path("message").asText(message);
        } catch (JsonProcessingException e) {
            // keep the status as the message
        }
        respondError(ctx, ctx.statusCode(), ctx.statusCode(), message);
    }

    private ObjectNode versionBody(final SchemaVersion version) {
        return mapper.createObjectNode()
                .put("subject", version.subject())
                .put("version", version.version())
                .put("id", version.id())
                .put("schema", version.schema());
    }

    private ObjectNode compatibilityBody(final Context ctx, final CompatibilityChecker.Result result) {
        final ObjectNode body = mapper.createObjectNode().put("is_compatible", result.compatible());
        if (flag(ctx, "verbose")) {
            body.putPOJO("messages", result.messages());
        }
        return body;
    }

    private void respond(final Context ctx, final Object body) throws JsonProcessingException {
        ctx.status(200).contentType(CONTENT_TYPE).result(mapper.writeValueAsString(body));
    }

    private static void respondRaw(final Context ctx, final String json) {
        ctx.status(200).contentType(CONTENT_TYPE).result(json);
    }

    private void respondError(final Context ctx, final int status, final int code, final String message) {
        final ObjectNode body = mapper.createObjectNode().put("error_code", code).put("message", message);
        ctx.status(status).contentType(CONTENT_TYPE).result(body.toString());
    }
}
