package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.JobState;
import io.stemflow.pipeline.dashboard.Dashboard;
import io.stemflow.pipeline.dashboard.DashboardConfig;
import io.stemflow.pipeline.topology.BatchTally;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard behind a load balancer: two instances over map-backed sources that split the keys between them
 * ("a-..." on A, "b-..." on B), each with a dashboard of its own, over real HTTP. Whichever instance the page
 * reaches, it shows the same thing. (The feeds read no broker here: their figures are covered on a real one by
 * DashboardApiOnStackTest.)
 */
class DashboardAcrossInstancesTest {

    private static final QueryConfig CONFIG =
            new QueryConfig("127.0.0.1", 0, null, Duration.ofMillis(1500), Duration.ofSeconds(2));

    private final MapStateSource sourceA = new MapStateSource();
    private final MapStateSource sourceB = new MapStateSource();
    private final HttpProbe viewer = new HttpProbe();
    private Dashboard dashboardA;
    private Dashboard dashboardB;
    private QueryServer a;
    private QueryServer b;

    @BeforeEach
    void start() {
        // no broker at this address: the feeds stay empty, which is all this test needs of them
        final String nowhere = "127.0.0.1:" + Fixtures.freePort();
        final Map<String, Object> serde = Map.of("schema.registry.url", "http://127.0.0.1:" + Fixtures.freePort());
        dashboardA = Dashboard.start(DashboardConfig.defaults(), nowhere, Map.of(), serde);
        dashboardB = Dashboard.start(DashboardConfig.defaults(), nowhere, Map.of(), serde);
        a = QueryServer.start(sourceA, CONFIG, Fixtures.access(), null, dashboardA);
        b = QueryServer.start(sourceB, CONFIG, Fixtures.access(), null, dashboardB);
        sourceA.owners(this::byPrefix);
        sourceB.owners(this::byPrefix);
        sourceA.hosts(Set.of(a.hostInfo(), b.hostInfo()));
        sourceB.hosts(Set.of(a.hostInfo(), b.hostInfo()));
        sourceA.batches.put("a-fall", new BatchTally(Map.of(JobState.COMPLETED, 3L, JobState.QUEUED, 2L), 20, 30));
        sourceB.batches.put("b-spring", new BatchTally(Map.of(JobState.FAILED, 1L, JobState.PAUSED, 4L), 0, 0));
        sourceA.accounts.put("a-1", Fixtures.account("a-1", 100, 20, 30, 0));
        sourceB.accounts.put("b-1", Fixtures.account("b-1", 50, 0, 0, 1));
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        dashboardA.close();
        dashboardB.close();
    }

    private HostInfo byPrefix(final String key) {
        return key.startsWith("a-") ? a.hostInfo() : b.hostInfo();
    }

    @Test
    void shouldShowTheSameOverviewWhicheverInstanceThePageReaches() {
        final HttpProbe.Answer viaA = viewer.get(a.url(), "/dashboard/api/overview");
        final HttpProbe.Answer viaB = viewer.get(b.url(), "/dashboard/api/overview");

        assertThat(viaA.status()).isEqualTo(200);
        assertThat(viaA.json().path("jobs").path("total").asLong()).isEqualTo(10);
        assertThat(viaA.json().path("jobs").path("byState").path("PAUSED").asLong()).isEqualTo(4);
        assertThat(viaA.json().path("batches").findValuesAsText("batchId")).containsExactly("a-fall", "b-spring");
        assertThat(viaA.json().path("accounts").findValuesAsText("accountId")).containsExactly("a-1", "b-1");
        for (final String part : new String[] {"jobs", "batches", "accounts"}) {
            assertThat(viaA.json().path(part)).as(part).isEqualTo(viaB.json().path(part));
        }
    }

    @Test
    void shouldShowABatchHeldByTheOtherInstanceWhenThePageReachesThisOne() {
        final HttpProbe.Answer viaA = viewer.get(a.url(), "/dashboard/api/batches/b-spring");
        final HttpProbe.Answer viaB = viewer.get(b.url(), "/dashboard/api/batches/b-spring");

        assertThat(viaA.status()).isEqualTo(200);
        assertThat(viaA.json().path("batch")).isEqualTo(viaB.json().path("batch"));
        assertThat(viaA.json().path("done").asLong()).isEqualTo(1);
        assertThat(viaA.json().path("waiting").asLong()).isEqualTo(4);
        assertThat(viaA.json().path("eta").isNull()).as("no pace measured: no ETA").isTrue();
        final HttpProbe.Answer resume = viewer.get(a.url(), "/dashboard/api/batches/b-spring/actions/resume");
        assertThat(resume.json().path("description").asText()).isEqualTo("resume 4 paused jobs of batch b-spring");
        final HttpProbe.Answer cancel = viewer.get(b.url(), "/dashboard/api/batches/a-fall/actions/cancel");
        assertThat(cancel.json().path("description").asText()).isEqualTo("cancel 2 waiting jobs of batch a-fall");
    }

    @Test
    void shouldAnswerNotFoundFromEitherInstanceWhenNoInstanceKnowsTheBatch() {
        assertThat(viewer.get(a.url(), "/dashboard/api/batches/b-never").status()).isEqualTo(404);
        assertThat(viewer.get(b.url(), "/dashboard/api/batches/b-never").status()).isEqualTo(404);
        assertThat(viewer.get(a.url(), "/dashboard/api/accounts/a-none").status()).isEqualTo(404);
    }

    @Test
    void shouldSayOperatorOnlyForAnOperatorsTokenWhenThePageAsksWhoItIs() {
        assertThat(viewer.get(a.url(), "/dashboard/api/session").json().path("role").asText()).isEqualTo("viewer");
        assertThat(new HttpProbe(Fixtures.OPERATOR_TOKEN).get(b.url(), "/dashboard/api/session").json().path("role")
                .asText()).isEqualTo("operator");
        assertThat(new HttpProbe(null).get(a.url(), "/dashboard/api/session").status()).isEqualTo(401);
    }
}
