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
        final Javalin server = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            // let the generate route measure bodies itself (to answer 413 in the provider's shape)
            javalin.http.maxRequestSize = Math.max(1_000_000L, config.maxBodyBytes() + 1L);
            api.register(javalin.routes);
            new FileApi(state).register(javalin.routes);
            new AdminApi(control, config.adminToken(), state.mapper()).register(javalin.routes);
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
        LOG.info("provider emulator listening on {} (API key ids {}, admin {}, seed {})", baseUrl,
                state.apiKeys().ids(), config.adminToken().isPresent() ? "token-protected" : "loopback-only",
                config.seed());
        return new ProviderEmulator(state, server, control, baseUrl);
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
