package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.JobState;
import io.stemflow.pipeline.topology.BatchTally;
import io.stemflow.pipeline.topology.QueueSummary;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One instance over a map-backed source: answers, 404s, 400s and 503s, over real HTTP. */
class QueryServerTest {

    private final MapStateSource source = new MapStateSource();
    private final HttpProbe http = new HttpProbe();
    private QueryServer server;

    @BeforeEach
    void start() {
        server = QueryServer.start(source, QueryConfig.of("127.0.0.1", 0), Fixtures.access());
        source.owners(key -> server.hostInfo());
        source.hosts(Set.of(server.hostInfo()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldAnswerTheJobAsJsonWhenThisInstanceHoldsIt() {
        // given
        source.jobs.put("req-1", Fixtures.completedJob("req-1"));

        // when
        final HttpProbe.Answer answer = http.get(server.url(), "/jobs/req-1");

        // then
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.servedBy()).isEqualTo("127.0.0.1:" + server.hostInfo().port());
        assertThat(answer.json().path("requestId").asText()).isEqualTo("req-1");
        assertThat(answer.json().path("state").asText()).isEqualTo("COMPLETED");
        assertThat(answer.json().path("stems").size()).isEqualTo(2);
        assertThat(answer.json().path("history").get(3).path("at").asText()).isEqualTo("2026-11-24T10:01:00Z");
    }

    @Test
    void shouldTellABatchWhatWaitsAheadOfItAndItsShareWhenItsJobsWait() {
        // given 5 INTERACTIVE jobs, and in BULK the batch of an account of weight 3 beside one of weight 1,
        // its account having a second, paused, batch
        source.queues = new QueueSummary(20, 4, 205, List.of(
                new QueueSummary.ClassQueue("INTERACTIVE", 5, List.of(new QueueSummary.AccountQueue("app", 5, 1, null,
                        null, false, 1.0, List.of(new QueueSummary.BatchQueue(null, 5, false, false))))),
                new QueueSummary.ClassQueue("NORMAL", 0, List.of()),
                new QueueSummary.ClassQueue("BULK", 200, List.of(
                        new QueueSummary.AccountQueue("label", 150, 3, null, null, false, 0.75, List.of(
                                new QueueSummary.BatchQueue("cat-1", 100, false, false),
                                new QueueSummary.BatchQueue("cat-2", 50, true, false))),
                        new QueueSummary.AccountQueue("other", 50, 1, null, null, false, 0.25, List.of(
                                new QueueSummary.BatchQueue("x", 50, false, false)))))),
                List.of());

        // when
        final HttpProbe.Answer answer = http.get(server.url(), "/queues/batches/cat-1");
        final HttpProbe.Answer all = http.get(server.url(), "/queues");

        // then
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("waiting").asLong()).isEqualTo(100);
        final com.fasterxml.jackson.databind.JsonNode lane = answer.json().path("lanes").get(0);
        assertThat(lane.path("priority").asText()).isEqualTo("BULK");
        assertThat(lane.path("ahead").asLong()).isEqualTo(5);
        assertThat(lane.path("share").asDouble()).isEqualTo(0.75);
        assertThat(all.json().path("classes").get(2).path("accounts").get(0).path("weight").asInt()).isEqualTo(3);
    }

    @Test
    void shouldAnswerNotFoundWhenTheJobIsUnknown() {
        // when
        final HttpProbe.Answer answer = http.get(server.url(), "/jobs/nobody");

        // then
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().path("error").asText()).isEqualTo("not_found");
        assertThat(answer.json().path("message").asText()).isEqualTo("job 'nobody' not found");
    }

    @Test
    void shouldAnswerNotFoundWhenTheAccountOrBatchIsUnknown() {
        // when
        final HttpProbe.Answer account = http.get(server.url(), "/accounts/nobody");
        final HttpProbe.Answer batch = http.get(server.url(), "/batches/none");

        // then
        assertThat(account.status()).isEqualTo(404);
        assertThat(account.json().path("message").asText()).isEqualTo("account 'nobody' not found");
        assertThat(batch.status()).isEqualTo(404);
        assertThat(batch.json().path("message").asText()).isEqualTo("batch 'none' not found");
    }

    @Test
    void shouldAnswerAccountAndBatchWhenKnown() {
        // given
        source.accounts.put("acct-1", Fixtures.account("acct-1", 100, 10, 50, 1));
        source.batches.put("b-1", new BatchTally(Map.of(JobState.ADMITTED, 2L, JobState.COMPLETED, 1L), 20, 50));

        // when
        final HttpProbe.Answer account = http.get(server.url(), "/accounts/acct-1");
        final HttpProbe.Answer batch = http.get(server.url(), "/batches/b-1");

        // then
        assertThat(account.status()).isEqualTo(200);
        assertThat(account.json().toString())
                .isEqualTo("{\"accountId\":\"acct-1\",\"granted\":100,\"available\":40,\"reserved\":10,"
                        + "\"spent\":50,\"held\":1}");
        assertThat(batch.status()).isEqualTo(200);
        assertThat(batch.json().toString())
                .isEqualTo("{\"batchId\":\"b-1\",\"total\":3,\"counts\":{\"ADMITTED\":2,\"COMPLETED\":1},"
                        + "\"reservedCredits\":20,\"spentCredits\":50}");
    }

    @Test
    void shouldAnswerBadRequestWhenThePathParameterIsBlank() {
        // when
        final HttpProbe.Answer blank = http.get(server.url(), "/jobs/%20%20");
        final HttpProbe.Answer missing = http.get(server.url(), "/jobs/");
        final HttpProbe.Answer blankBatch = http.get(server.url(), "/batches/%20");

        // then
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.json().path("error").asText()).isEqualTo("bad_request");
        assertThat(blank.json().path("message").asText()).isEqualTo("requestId must not be blank");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(blankBatch.status()).isEqualTo(400);
        assertThat(source.reads.get()).isZero();
    }

    @Test
    void shouldAnswerJsonNotFoundWhenTheEndpointDoesNotExist() {
        // when
        final HttpProbe.Answer answer = http.get(server.url(), "/nothing/here");

        // then
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().path("error").asText()).isEqualTo("not_found");
        assertThat(answer.json().path("message").asText()).contains("/nothing/here");
    }

    @Test
    void shouldAnswerUnavailableWithRetryAfterWhenTheStoreIsRebalancing() {
        // given
        source.state(KafkaStreams.State.REBALANCING);
        source.unavailable("partition 2 of store job-states cannot be read on this instance now");

        // when
        final HttpProbe.Answer job = http.get(server.url(), "/jobs/req-1");
        final HttpProbe.Answer accounts = http.get(server.url(), "/accounts");

        // then
        assertThat(job.status()).isEqualTo(503);
        assertThat(job.retryAfter()).isEqualTo("1");
        assertThat(job.json().path("error").asText()).isEqualTo("unavailable");
        assertThat(job.json().path("message").asText()).contains("job-states");
        assertThat(accounts.status()).isEqualTo(503);
        assertThat(accounts.retryAfter()).isEqualTo("1");
    }

    @Test
    void shouldReportUpWhenStreamsIsRunning() {
        // when
        final HttpProbe.Answer answer = http.get(server.url(), "/health");

        // then
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().toString()).isEqualTo("{\"status\":\"UP\",\"streams\":\"RUNNING\"}");
    }

    @Test
    void shouldReportDownWithTheStateWhenStreamsIsNotRunning() {
        // given
        source.state(KafkaStreams.State.PENDING_ERROR);

        // when
        final HttpProbe.Answer answer = http.get(server.url(), "/health");

        // then
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json().toString()).isEqualTo("{\"status\":\"DOWN\",\"streams\":\"PENDING_ERROR\"}");
    }

    @Test
    void shouldListAccountsSortedWhenOnlyThisInstanceHoldsTheStore() {
        // given
        source.accounts.put("b", Fixtures.account("b", 0, 10, 0, 0));
        source.accounts.put("a", Fixtures.account("a", 5, 0, 0, 0));

        // when
        final HttpProbe.Answer answer = http.get(server.url(), "/accounts");

        // then
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("accounts").findValuesAsText("accountId")).containsExactly("a", "b");
        assertThat(answer.json().path("instances").size()).isEqualTo(1);
    }
}
