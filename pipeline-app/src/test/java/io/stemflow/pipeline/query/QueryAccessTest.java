package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.RawHttp;
import io.stemflow.http.Role;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's probes of the query API, sent as an attacker on the same machine would (raw HTTP from a socket, so
 * any Host header and media type): without a token nothing but {@code /health} answers, a viewer reads and can
 * change nothing, a foreign Host is refused, a text body is refused, and a peer checks the caller's own token.
 */
class QueryAccessTest {

    private static final String JOB = "/jobs/req-1";
    private static final List<String> GUARDED = List.of(JOB, "/accounts/acct-1", "/accounts", "/batches/b-1",
            "/queues", "/queues/batches/b-1", "/metrics");

    private final MapStateSource source = new MapStateSource();
    private final MapStateSource otherSource = new MapStateSource();
    private QueryServer server;
    private QueryServer other;

    private int start(final HttpAccess access) {
        server = QueryServer.start(source, QueryConfig.of("127.0.0.1", 0), access, () -> "stemflow_probe 1\n");
        source.owners(key -> server.hostInfo());
        source.hosts(Set.of(server.hostInfo()));
        source.jobs.put("req-1", Fixtures.completedJob("req-1"));
        return server.hostInfo().port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (other != null) {
            other.close();
        }
    }

    private static RawHttp get(final int port, final String path, final String host, final String token)
            throws IOException {
        return RawHttp.exchange(port, RawHttp.request("GET", path, host,
                token == null ? "Accept: application/json" : "Authorization: Bearer " + token));
    }

    private static RawHttp post(final int port, final String path, final String contentType, final String token)
            throws IOException {
        return RawHttp.exchange(port, RawHttp.withBody(RawHttp.request("POST", path, "127.0.0.1",
                "Authorization: Bearer " + token, "Content-Type: " + contentType), "{\"state\":\"CANCELLED\"}"));
    }

    @Test
    void shouldAnswer401OnEveryRouteButHealthWhenNoTokenIsGiven() throws IOException {
        // given
        final int port = start(Fixtures.access());
        // when / then
        for (final String path : GUARDED) {
            final RawHttp anonymous = get(port, path, "127.0.0.1", null);
            final RawHttp wrong = get(port, path, "localhost", "not-a-token-of-this-service");
            assertThat(anonymous.status()).as("GET %s without a token", path).isEqualTo(401);
            assertThat(anonymous.header("WWW-Authenticate")).as(path).startsWith("Bearer");
            assertThat(anonymous.body()).as(path).doesNotContain("req-1").doesNotContain("stemflow_probe");
            assertThat(wrong.status()).as("GET %s with a wrong token", path).isEqualTo(401);
        }
        assertThat(get(port, "/health", "127.0.0.1", null).status()).isEqualTo(200);
        assertThat(get(port, "/health", "attacker.example", null).status()).as("probes call by any name").isEqualTo(200);
    }

    @Test
    void shouldLetAViewerReadEveryRouteAndChangeNothingWhenItTriesAWrite() throws IOException {
        // given
        final int port = start(Fixtures.access());
        final String before = get(port, JOB, "127.0.0.1", Fixtures.VIEWER_TOKEN).body();
        // when
        final RawHttp viewerWrite = post(port, JOB, "application/json", Fixtures.VIEWER_TOKEN);
        final RawHttp operatorWrite = post(port, JOB, "application/json", Fixtures.OPERATOR_TOKEN);
        // then
        for (final String path : GUARDED) {
            assertThat(get(port, path, "127.0.0.1", Fixtures.VIEWER_TOKEN).status()).as("GET %s as a viewer", path)
                    .isIn(200, 404);
        }
        assertThat(get(port, "/metrics", "127.0.0.1", Fixtures.VIEWER_TOKEN).body()).contains("stemflow_probe 1");
        assertThat(viewerWrite.status()).isEqualTo(403);
        assertThat(viewerWrite.body()).contains("\"error\":\"forbidden\"").contains("operator");
        assertThat(operatorWrite.status()).as("the query API has no route that changes state").isIn(404, 405);
        assertThat(get(port, JOB, "127.0.0.1", Fixtures.VIEWER_TOKEN).body()).isEqualTo(before);
    }

    @Test
    void shouldAnswer421WhenTheHostHeaderNamesAForeignHostAsInDnsRebinding() throws IOException {
        // given
        final int port = start(Fixtures.access().withHosts(List.of("query.internal")));
        // when
        final RawHttp rebound = get(port, JOB, "attacker.example:" + port, Fixtures.VIEWER_TOKEN);
        final RawHttp configured = get(port, JOB, "query.internal:" + port, Fixtures.VIEWER_TOKEN);
        final RawHttp loopback = get(port, JOB, "localhost:" + port, Fixtures.VIEWER_TOKEN);
        // then
        assertThat(rebound.status()).isEqualTo(421);
        assertThat(rebound.body()).doesNotContain("req-1");
        assertThat(configured.status()).isEqualTo(200);
        assertThat(loopback.status()).isEqualTo(200);
    }

    @Test
    void shouldAnswer415WhenAStateChangeIsSentAsTextPlain() throws IOException {
        // given
        final int port = start(Fixtures.access());
        final String before = get(port, JOB, "127.0.0.1", Fixtures.VIEWER_TOKEN).body();
        // when
        final RawHttp text = post(port, JOB, "text/plain", Fixtures.OPERATOR_TOKEN);
        // then
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.body()).contains("\"error\":\"unsupported_media_type\"");
        assertThat(get(port, JOB, "127.0.0.1", Fixtures.VIEWER_TOKEN).body()).isEqualTo(before);
    }

    @Test
    void shouldLetTheOwnerCheckTheCallersTokenWhenARequestIsForwarded() throws IOException {
        // given two instances; the owner of "b-..." keys does not accept the token the first one accepts
        final String onlyHere = "accepted-by-the-first-instance-only";
        final int port = start(HttpAccess.tokens(AccessTokens.of(Map.of(
                Role.VIEWER, List.of(Fixtures.VIEWER_TOKEN, onlyHere)))));
        other = QueryServer.start(otherSource, QueryConfig.of("127.0.0.1", 0), Fixtures.access());
        final HostInfo owner = other.hostInfo();
        source.owners(key -> key.startsWith("b-") ? owner : server.hostInfo());
        otherSource.owners(key -> key.startsWith("b-") ? owner : server.hostInfo());
        source.hosts(Set.of(server.hostInfo(), owner));
        otherSource.hosts(Set.of(server.hostInfo(), owner));
        otherSource.jobs.put("b-1", Fixtures.completedJob("b-1"));
        // when
        final RawHttp viewer = get(port, "/jobs/b-1", "127.0.0.1", Fixtures.VIEWER_TOKEN);
        final RawHttp notKnownThere = get(port, "/jobs/b-1", "127.0.0.1", onlyHere);
        final RawHttp allAccounts = get(port, "/accounts", "127.0.0.1", onlyHere);
        final RawHttp anonymous = get(port, "/jobs/b-1", "127.0.0.1", null);
        // then
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.body()).contains("b-1");
        assertThat(notKnownThere.status()).as("the owner refuses a token it does not know").isEqualTo(401);
        assertThat(notKnownThere.body()).doesNotContain("b-1");
        assertThat(allAccounts.status()).as("a list gathered from a peer that refused is incomplete").isEqualTo(503);
        assertThat(anonymous.status()).isEqualTo(401);
    }
}
