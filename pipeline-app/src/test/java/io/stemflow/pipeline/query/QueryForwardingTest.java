package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.stemflow.avro.JobState;
import io.stemflow.pipeline.topology.BatchTally;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two instances over map-backed sources that split the keys between them ("a-..." on A, "b-..."
 * on B): routing, relaying, gathering and the single-hop rule, over real HTTP.
 */
class QueryForwardingTest {

    private static final QueryConfig CONFIG =
            new QueryConfig("127.0.0.1", 0, null, Duration.ofMillis(1500), Duration.ofSeconds(2));

    private final MapStateSource sourceA = new MapStateSource();
    private final MapStateSource sourceB = new MapStateSource();
    private final HttpProbe http = new HttpProbe();
    private QueryServer a;
    private QueryServer b;

    @BeforeEach
    void start() {
        a = QueryServer.start(sourceA, CONFIG, Fixtures.access());
        b = QueryServer.start(sourceB, CONFIG, Fixtures.access());
        sourceA.owners(this::byPrefix);
        sourceB.owners(this::byPrefix);
        sourceA.hosts(Set.of(a.hostInfo(), b.hostInfo()));
        sourceB.hosts(Set.of(a.hostInfo(), b.hostInfo()));
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private HostInfo byPrefix(final String key) {
        return key.startsWith("a-") ? a.hostInfo() : b.hostInfo();
    }

    private static String id(final QueryServer server) {
        return server.hostInfo().host() + ":" + server.hostInfo().port();
    }

    @Test
    void shouldAnswerFromTheOwnerWhenAskedAnyInstance() {
        // given
        sourceA.jobs.put("a-1", Fixtures.completedJob("a-1"));
        sourceB.jobs.put("b-1", Fixtures.requestedJob("b-1", "acct-b"));

        // when
        final HttpProbe.Answer bViaA = http.get(a.url(), "/jobs/b-1");
        final HttpProbe.Answer bViaB = http.get(b.url(), "/jobs/b-1");
        final HttpProbe.Answer aViaB = http.get(b.url(), "/jobs/a-1");

        // then
        assertThat(bViaA.status()).isEqualTo(200);
        assertThat(bViaA.json()).isEqualTo(bViaB.json());
        assertThat(bViaA.servedBy()).isEqualTo(id(b));
        assertThat(bViaB.servedBy()).isEqualTo(id(b));
        assertThat(aViaB.status()).isEqualTo(200);
        assertThat(aViaB.json().path("state").asText()).isEqualTo("COMPLETED");
        assertThat(aViaB.servedBy()).isEqualTo(id(a));
    }

    @Test
    void shouldRelayTheOwnersNotFoundWhenTheKeyIsUnknownThere() {
        // when
        final HttpProbe.Answer answer = http.get(a.url(), "/accounts/b-nobody");

        // then
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.servedBy()).isEqualTo(id(b));
        assertThat(answer.json().path("message").asText()).isEqualTo("account 'b-nobody' not found");
    }

    @Test
    void shouldForwardKeysThatNeedEncodingWhenTheOwnerIsAnotherInstance() {
        // given
        sourceB.jobs.put("b-x y/z", Fixtures.requestedJob("b-x y/z", "acct-b"));

        // when
        final HttpProbe.Answer answer = http.get(a.url(), "/jobs/b-x%20y%2Fz");

        // then
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("requestId").asText()).isEqualTo("b-x y/z");
        assertThat(answer.servedBy()).isEqualTo(id(b));
    }

    @Test
    void shouldRefuseRatherThanForwardAgainWhenInstancesDisagreeAboutTheOwner() {
        // given: A thinks B holds every key, B thinks A does (a rebalance in flight)
        sourceA.owners(key -> b.hostInfo());
        sourceB.owners(key -> a.hostInfo());

        // when
        final HttpProbe.Answer answer = http.get(a.url(), "/jobs/moving");

        // then: B refused the forwarded request instead of sending it back to A
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.retryAfter()).isEqualTo("2");
        assertThat(answer.json().path("error").asText()).isEqualTo("unavailable");
        assertThat(answer.json().path("message").asText())
                .isEqualTo("job 'moving' was forwarded here by " + id(a) + " but instance " + id(a)
                        + " holds it now; partitions are moving");
        assertThat(sourceA.reads.get() + sourceB.reads.get()).isZero();
    }

    @Test
    void shouldAnswerUnavailableWhenTheOwnerDoesNotAnswer() {
        // given
        final HostInfo gone = new HostInfo("127.0.0.1", Fixtures.freePort());
        sourceA.owners(key -> gone);

        // when
        final HttpProbe.Answer answer = http.get(a.url(), "/batches/b-1");

        // then
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.retryAfter()).isEqualTo("2");
        assertThat(answer.json().path("message").asText())
                .startsWith("instance 127.0.0.1:" + gone.port() + " did not answer GET /batches/b-1");
    }

    @Test
    void shouldGatherEveryInstancesAccountsWhenListingAccounts() {
        // given
        sourceA.accounts.put("a-2", Fixtures.account("a-2", 0, 10, 0, 0));
        sourceA.accounts.put("a-1", Fixtures.account("a-1", 100, 50, 0, 0));
        sourceB.accounts.put("b-1", Fixtures.account("b-1", 0, 60, 0, 1));

        // when
        final HttpProbe.Answer viaA = http.get(a.url(), "/accounts");
        final HttpProbe.Answer viaB = http.get(b.url(), "/accounts");

        // then
        assertThat(viaA.status()).isEqualTo(200);
        assertThat(viaA.json().path("accounts").findValuesAsText("accountId")).containsExactly("a-1", "a-2", "b-1");
        assertThat(viaA.json().path("accounts")).isEqualTo(viaB.json().path("accounts"));
        assertThat(viaA.json().path("accounts").get(2).path("held").asLong()).isEqualTo(1);
        assertThat(viaA.json().path("instances").toString()).contains(id(a), id(b));
    }

    @Test
    void shouldGatherEveryInstancesBatchesWhenListingBatches() {
        // given a batch on each instance
        sourceA.batches.put("a-fall", new BatchTally(Map.of(JobState.COMPLETED, 3L, JobState.QUEUED, 2L), 0, 30));
        sourceB.batches.put("b-spring", new BatchTally(Map.of(JobState.FAILED, 1L), 0, 0));

        // when
        final HttpProbe.Answer viaA = http.get(a.url(), "/batches");
        final HttpProbe.Answer viaB = http.get(b.url(), "/batches");

        // then each lists both, sorted, each as GET /batches/{batchId} shows it
        assertThat(viaA.status()).isEqualTo(200);
        assertThat(viaA.json().path("batches").findValuesAsText("batchId")).containsExactly("a-fall", "b-spring");
        assertThat(viaA.json().path("batches")).isEqualTo(viaB.json().path("batches"));
        assertThat(viaA.json().path("batches").get(0)).isEqualTo(http.get(b.url(), "/batches/a-fall").json());
        assertThat(viaA.json().path("batches").get(0).path("total").asLong()).isEqualTo(5);
        assertThat(viaA.json().path("instances").toString()).contains(id(a), id(b));
    }

    @Test
    void shouldAnswerUnavailableRatherThanAPartialListWhenAnInstanceDoesNotAnswer() {
        // given
        final HostInfo gone = new HostInfo("127.0.0.1", Fixtures.freePort());
        sourceA.hosts(Set.of(a.hostInfo(), gone));
        sourceA.accounts.put("a-1", Fixtures.account("a-1", 100, 50, 0, 0));

        // when
        final HttpProbe.Answer answer = http.get(a.url(), "/accounts");

        // then
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json().path("message").asText()).contains("127.0.0.1:" + gone.port());
    }
}
