package io.stemflow.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The front door on a real Jetty, probed as an attacker would: raw HTTP from a socket, so any Host header,
 * media type or malformed request can be sent. Each refusal must also leave the state unchanged (the
 * counter the write route increments).
 */
class HttpAccessTest {

    private static final String VIEWER = "viewer-token-0123456789";
    private static final String OPERATOR = "operator-token-0123456789";
    private static final AccessTokens TOKENS = AccessTokens.of(Map.of(
            Role.VIEWER, List.of(VIEWER), Role.OPERATOR, List.of(OPERATOR, "operator-token-rotated-987654")));

    private final AtomicInteger writes = new AtomicInteger();
    private Javalin server;

    private int start(final HttpAccess access) {
        server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            access.install(config);
            config.routes.get("/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"UP\"}"));
            config.routes.get("/jobs/{id}", ctx -> ctx.contentType("application/json").result("{\"job\":\"x\"}"));
            config.routes.post("/batches/{id}/cancel", ctx -> ctx.status(202).contentType("application/json").result("{\"writes\":" + writes.incrementAndGet() + "}"));
            config.routes.get("/admin/state", ctx -> ctx.contentType("application/json").result("{\"ok\":true}"));
        }).start("127.0.0.1", 0);
        return server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static String cancel(final String host, final String contentType, final String token) {
        final String body = "{\"reason\":\"probe\"}";
        return RawHttp.request("POST", "/batches/b1/cancel", host,
                (token == null ? "X-None: 1" : "Authorization: Bearer " + token),
                "Content-Type: " + contentType, "Content-Length: " + body.length()) .replace("\r\n\r\n", "\r\n\r\n" + body);
    }

    @Test
    void shouldRefuseReadsWithoutAValidTokenWhenTokensAreRequired() throws IOException {
        // given
        final int port = start(HttpAccess.tokens(TOKENS));
        // when
        final RawHttp none = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "127.0.0.1"));
        final RawHttp wrong = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "127.0.0.1",
                "Authorization: Bearer not-a-token-of-ours-at-all"));
        final RawHttp basic = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "127.0.0.1",
                "Authorization: Basic dmlld2VyOnRva2Vu"));
        final RawHttp viewer = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "127.0.0.1",
                "Authorization: bearer " + VIEWER));
        // then
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer realm=\"stemflow\"");
        assertThat(none.body()).contains("\"error\":\"unauthorized\"").contains("viewer");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("\"error\":\"invalid_token\"").doesNotContain("not-a-token");
        assertThat(basic.status()).isEqualTo(401);
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.body()).isEqualTo("{\"job\":\"x\"}");
    }

    @Test
    void shouldRefuseAControlActionToAViewerAndAllowItToEveryOperatorToken() throws IOException {
        // given
        final int port = start(HttpAccess.tokens(TOKENS));
        // when
        final RawHttp asViewer = RawHttp.exchange(port, cancel("localhost", "application/json", VIEWER));
        final RawHttp anonymous = RawHttp.exchange(port, cancel("localhost", "application/json", null));
        final int writesAfterRefusals = writes.get();
        final RawHttp asOperator = RawHttp.exchange(port, cancel("localhost", "application/json", OPERATOR));
        final RawHttp asRotated = RawHttp.exchange(port, cancel("localhost:7070", "application/json; charset=utf-8",
                "operator-token-rotated-987654"));
        // then
        assertThat(asViewer.status()).isEqualTo(403);
        assertThat(asViewer.body()).contains("\"error\":\"forbidden\"").contains("operator");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(writesAfterRefusals).isZero();
        assertThat(asOperator.status()).isEqualTo(202);
        assertThat(asRotated.status()).isEqualTo(202);
        assertThat(writes.get()).isEqualTo(2);
    }

    @Test
    void shouldRefuseAStateChangeWithoutJsonWhenABrowserSendsTextOrAForm() throws IOException {
        // given a service without tokens: the media-type check alone must stop a cross-site POST
        final int port = start(HttpAccess.withoutTokens());
        // when
        final RawHttp text = RawHttp.exchange(port, cancel("127.0.0.1", "text/plain", null));
        final RawHttp form = RawHttp.exchange(port, cancel("127.0.0.1", "application/x-www-form-urlencoded", null));
        final RawHttp noType = RawHttp.exchange(port, RawHttp.request("POST", "/batches/b1/cancel", "127.0.0.1",
                "Content-Length: 0"));
        final int writesAfterRefusals = writes.get();
        final RawHttp json = RawHttp.exchange(port, cancel("127.0.0.1", "application/json", null));
        // then
        assertThat(List.of(text.status(), form.status(), noType.status())).containsOnly(415);
        assertThat(text.body()).contains("\"error\":\"unsupported_media_type\"");
        assertThat(writesAfterRefusals).isZero();
        assertThat(json.status()).isEqualTo(202);
    }

    @Test
    void shouldAnswer421WhenTheHostHeaderNamesAForeignHostAsInDnsRebinding() throws IOException {
        // given
        final int port = start(HttpAccess.tokens(TOKENS).withHosts(List.of("query.internal")));
        // when
        final RawHttp rebound = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "attacker.example:" + port,
                "Authorization: Bearer " + VIEWER));
        final RawHttp reboundWrite = RawHttp.exchange(port, cancel("attacker.example", "application/json", OPERATOR));
        final RawHttp noHost = RawHttp.exchange(port, "GET /jobs/j1 HTTP/1.0\r\nAuthorization: Bearer " + VIEWER
                + "\r\n\r\n");
        final RawHttp configured = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "Query.Internal.:7070",
                "Authorization: Bearer " + VIEWER));
        final RawHttp ipv6 = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "[::1]:" + port,
                "Authorization: Bearer " + VIEWER));
        final RawHttp health = RawHttp.exchange(port, RawHttp.request("GET", "/health", "attacker.example"));
        // then
        assertThat(rebound.status()).isEqualTo(421);
        assertThat(rebound.body()).contains("\"error\":\"misdirected_request\"").contains(HttpAccess.ENV_ALLOWED_HOSTS);
        assertThat(reboundWrite.status()).isEqualTo(421);
        assertThat(writes.get()).isZero();
        assertThat(noHost.status()).isEqualTo(421);
        assertThat(configured.status()).isEqualTo(200);
        assertThat(ipv6.status()).isEqualTo(200);
        assertThat(health.status()).as("health is open to probes, which call by any name").isEqualTo(200);
    }

    @Test
    void shouldGuardOnlyTheGivenPrefixesWhenAServiceHasOtherCallers() throws IOException {
        // given the emulator's shape: the provider API has its own keys, only /admin takes these tokens
        final int port = start(HttpAccess.tokens(TOKENS).guardingOnly("/admin"));
        // when
        final RawHttp api = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "localhost"));
        final RawHttp admin = RawHttp.exchange(port, RawHttp.request("GET", "/admin/state", "localhost"));
        // then
        assertThat(api.status()).isEqualTo(200);
        assertThat(admin.status()).isEqualTo(401);
    }

    @Test
    void shouldTakeAServicesOwnHeaderCredentialInsteadOfTheBearerTokenWhenTheHeaderIsPresent() throws IOException {
        // given the emulator's X-Admin-Token, an operator credential of its own beside the bearer tokens
        final int port = start(HttpAccess.tokens(TOKENS).withHeaderCredential("X-Admin-Token", Role.OPERATOR,
                "adm"::equals));
        // when
        final RawHttp wrongOwn = RawHttp.exchange(port, cancel("localhost", "application/json", OPERATOR)
                .replace("Connection: close", "X-Admin-Token: nope\r\nConnection: close"));
        final RawHttp rightOwn = RawHttp.exchange(port, cancel("localhost", "application/json", null)
                .replace("Connection: close", "X-Admin-Token: adm\r\nConnection: close"));
        final RawHttp ownAsText = RawHttp.exchange(port, cancel("localhost", "text/plain", null)
                .replace("Connection: close", "X-Admin-Token: adm\r\nConnection: close"));
        final RawHttp bearer = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "localhost",
                "Authorization: Bearer " + VIEWER));
        // then
        assertThat(wrongOwn.status()).as("a wrong own credential is not rescued by a bearer token").isEqualTo(401);
        assertThat(wrongOwn.body()).contains("X-Admin-Token").doesNotContain("nope");
        assertThat(rightOwn.status()).isEqualTo(202);
        assertThat(ownAsText.status()).isEqualTo(415);
        assertThat(writes.get()).isEqualTo(1);
        assertThat(bearer.status()).isEqualTo(200);
    }

    @Test
    void shouldAnswerJettysOwnErrorsWithJsonWhenTheRequestIsMalformedOrTooLarge() throws IOException {
        // given
        final int port = start(HttpAccess.tokens(TOKENS));
        // when
        final RawHttp badLine = RawHttp.exchange(port, "GET /jobs/\u0001 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        final RawHttp longUri = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/" + "a".repeat(20_000), "localhost"));
        final RawHttp bigHeaders = RawHttp.exchange(port, RawHttp.request("GET", "/jobs/j1", "localhost",
                "X-Big: " + "b".repeat(20_000)));
        final RawHttp missing = RawHttp.exchange(port, RawHttp.request("GET", "/nothing/here", "localhost",
                "Authorization: Bearer " + VIEWER));
        // then
        assertThat(badLine.status()).isEqualTo(400);
        assertThat(longUri.status()).isEqualTo(414);
        assertThat(bigHeaders.status()).isEqualTo(431);
        assertThat(missing.status()).isEqualTo(404);
        for (final RawHttp answer : List.of(badLine, longUri, bigHeaders, missing)) {
            assertThat(answer.header("Content-Type")).as(answer.headers()).startsWith("application/json");
            assertThat(answer.body()).as(answer.headers()).startsWith("{\"error\":\"").doesNotContain("<html");
        }
        assertThat(longUri.body()).contains("uri_too_long");
        assertThat(bigHeaders.body()).contains("request_header_fields_too_large");
    }
}
