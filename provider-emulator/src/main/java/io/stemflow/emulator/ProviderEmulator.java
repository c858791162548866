package io.stemflow.emulator;

import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.router.EndpointNotFound;
import io.stemflow.emulator.core.EmulatorState;
import io.stemflow.emulator.http.AdminApi;
import io.stemflow.emulator.http.FileApi;
import io.stemflow.emulator.http.ProviderApi;
import io.stemflow.emulator.task.StemLinks;
import io.stemflow.emulator.time.EmulatorTime;
import io.stemflow.emulator.time.SystemTime;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.Role;
import io.stemflow.service.LoopbackUrl;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider emulator: an HTTP server that behaves like the stem-separation provider in every way the
 * pipeline depends on (endpoints, auth, limits, asynchronous callbacks with retries and faults, stem files,
 * record-info), plus an admin API. Start it with {@link #start(EmulatorConfig)}, point clients at
 * {@link #baseUrl()}, steer it with {@link #control()}, and {@link #close()} it.
 */
public final class ProviderEmulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderEmulator.class);

    private final EmulatorState state;
    private final Javalin server;
    private final EmulatorControl control;
    private final URI baseUrl;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProviderEmulator(final EmulatorState state, final Javalin server, final EmulatorControl control,
                             final URI baseUrl) {
        this.state = state;
        this.server = server;
        this.control = control;
        this.baseUrl = baseUrl;
    }

    /** Starts on wall-clock time. */
    public static ProviderEmulator start(final EmulatorConfig config) {
        return start(config, SystemTime.create());
    }

    /**
     * Starts on the given time source (tests pass a {@link io.stemflow.emulator.time.ManualTime}). The emulator
     * takes ownership of {@code time} and closes it on {@link #close()}.
     *
     * @throws IllegalStateException when the server cannot bind {@code host:port}
     */
    public static ProviderEmulator start(final EmulatorConfig config, final EmulatorTime time) {
        final EmulatorState state = new EmulatorState(config, time);
        final EmulatorControl control = new EmulatorControl(state);
        final ProviderApi api = new ProviderApi(state);
        final HttpAccess access = access(config);
        final Javalin server = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            access.install(javalin);
            javalin.routes.get("/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"UP\"}"));
            // let the generate route measure bodies itself (to answer 413 in the provider's shape)
            javalin.http.maxRequestSize = Math.max(1_000_000L, config.maxBodyBytes() + 1L);
            api.register(javalin.routes);
            new FileApi(state).register(javalin.routes);
            new AdminApi(control, config.adminToken(), access.auth() == HttpAccess.Auth.TOKENS, state.mapper())
                    .register(javalin.routes);
            javalin.routes.exception(EndpointNotFound.class, (e, ctx) -> {
                if (ctx.path().startsWith("/admin/") || ctx.path().startsWith(StemLinks.PREFIX)) {
                    ctx.status(404).contentType("application/json").result("{\"error\":\"not found\"}");
                } else {
                    api.notFound(ctx);
                }
            });
            javalin.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 413) {
                    api.tooLarge(ctx);
                } else {
                    ctx.status(e.getStatus()).contentType("text/plain").result(e.getMessage());
                }
            });
            javalin.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("emulator failed on {} {}", ctx.method(), ctx.path(), e);
                api.serverError(ctx);
            });
        });
        try {
            server.start(config.host(), config.port());
        } catch (final RuntimeException e) {
            state.close();
            throw new IllegalStateException("provider emulator cannot listen on " + config.host() + ":"
                    + config.port(), e);
        }
        final URI baseUrl = config.publicBaseUrl().orElseGet(() -> localUrl(config.host(), server.port()));
        state.setBaseUrl(baseUrl);
        LOG.info("provider emulator listening on {} (API key ids {}, admin {}, seed {}, {})", baseUrl,
                state.apiKeys().ids(), adminGuard(config, access), config.seed(), access);
        if (access.auth() == HttpAccess.Auth.OFF) {
            LOG.warn("EMULATOR ADMIN API WITHOUT BEARER TOKENS ({}=off, or no {} / {} configured): /admin answers {}",
                    HttpAccess.ENV_AUTH, AccessTokens.ENV_VIEWER, AccessTokens.ENV_OPERATOR, adminGuard(config, access));
        }
        return new ProviderEmulator(state, server, control, baseUrl);
    }

    /**
     * The emulator's shape of {@link HttpAccess}: Host and JSON-only checks on every route but {@code /health};
     * tokens on {@code /admin} only (the provider API has its API keys); the admin token ({@code X-Admin-Token})
     * an operator credential beside the bearer tokens.
     */
    private static HttpAccess access(final EmulatorConfig config) {
        final HttpAccess access = config.access().guardingOnly("/admin");
        return config.adminToken().map(token -> access.withHeaderCredential(AdminApi.TOKEN_HEADER, Role.OPERATOR,
                token::matches)).orElse(access);
    }

    private static String adminGuard(final EmulatorConfig config, final HttpAccess access) {
        if (access.auth() == HttpAccess.Auth.TOKENS) {
            return "bearer-token-protected" + (config.adminToken().isPresent() ? " (and X-Admin-Token)" : "");
        }
        return config.adminToken().isPresent() ? "X-Admin-Token-protected" : "loopback-only";
    }

    private static URI localUrl(final String host, final int port) {
        return LoopbackUrl.url("http", host, port);
    }

    /** Base URL of the provider API, e.g. {@code http://127.0.0.1:8089} (no trailing slash). */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The Java admin API. */
    public EmulatorControl control() {
        return control;
    }

    public EmulatorConfig config() {
        return state.config();
    }

    /** Stops the HTTP server, then the callback dispatcher and the scheduler. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop();
        } finally {
            state.close();
            LOG.info("provider emulator on {} stopped", baseUrl);
        }
    }
}
