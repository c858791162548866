package io.stemflow.bridge.http;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.stemflow.bridge.BridgeConfig;
import io.stemflow.bridge.BridgeConfigException;
import io.stemflow.bridge.TlsSettings;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Builds the bridge's Javalin server: plain HTTP, or HTTPS only when a keystore is configured
 * (the keystore is opened here, so a wrong path or password fails start-up with a message that
 * names the variable).
 *
 * <p>Every error is JSON, Jetty's own too (400 for a malformed request line or URI, 414, 431: see
 * {@link JsonErrors}).
 *
 * <p>Jetty stops gracefully: a {@link GracefulHandler} around the application lets {@code stop()}
 * close the connectors first and then wait (up to {@code stopTimeout}) until every request in
 * progress has completed, its response written, so an answer is never cut off by the stop.
 */
public final class HttpServer {

    private static final long SHUTDOWN_IDLE_TIMEOUT_MS = 250;

    private HttpServer() {
    }

    public static Javalin create(final String host, final int port, final Optional<TlsSettings> tls,
                                 final int maxBodyBytes, final Duration stopTimeout, final HttpAccess hosts,
                                 final Consumer<RoutesConfig> routes) {
        final Optional<KeyStore> keyStore = tls.map(HttpServer::load);
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.http.maxRequestSize = maxBodyBytes;
            javalin.http.prefer405over404 = true;
            javalin.jetty.host = host;
            javalin.jetty.port = port;
            javalin.jetty.modifyServer(server -> {
                final GracefulHandler graceful = new GracefulHandler();
                graceful.setShutdownIdleTimeout(SHUTDOWN_IDLE_TIMEOUT_MS); // idle keep-alive connections need no wait
                server.setHandler(graceful);
                server.setStopTimeout(stopTimeout.toMillis());
            });
            keyStore.ifPresent(store -> javalin.jetty.addConnector((server, httpConfig) -> {
                final SslContextFactory.Server ssl = new SslContextFactory.Server();
                ssl.setKeyStore(store);
                ssl.setKeyStorePassword(new String(tls.get().password().chars()));
                final HttpConfiguration https = new HttpConfiguration(httpConfig);
                final SecureRequestCustomizer secure = new SecureRequestCustomizer();
                secure.setSniHostCheck(false); // clients may call by IP; the certificate is the client's concern
                https.addCustomizer(secure);
                final ServerConnector connector = new ServerConnector(server,
                        new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
                connector.setHost(host);
                connector.setPort(port);
                return connector;
            }));
            routes.accept(javalin.routes);
            // after the bridge's own 404/405 handlers, so theirs answer first: Jetty's own errors as JSON, and the
            // Host check (421) against DNS rebinding; tokens and media types are the endpoint's own checks
            hosts.installHostCheck(javalin);
        });
    }

    private static KeyStore load(final TlsSettings tls) {
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            final KeyStore store = KeyStore.getInstance(tls.keystoreType());
            store.load(in, tls.password().chars());
            if (store.size() == 0) {
                throw new BridgeConfigException(List.of(BridgeConfig.ENV_TLS_KEYSTORE + " holds no key: " + tls.keystore()));
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new BridgeConfigException(List.of(BridgeConfig.ENV_TLS_KEYSTORE + " (" + tls.keystore()
                    + ") cannot be opened as " + tls.keystoreType() + " with " + BridgeConfig.ENV_TLS_KEYSTORE_PASSWORD
                    + ": " + e.getClass().getSimpleName()));
        }
    }
}
