package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** What status shows of a batch, from the query API's JSON. */
class StatusViewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CallLimit LIMIT = new CallLimit(20, Duration.ofSeconds(10));

    private static JsonNode batch(final String counts, final long total) throws Exception {
        return JSON.readTree("{\"batchId\":\"b1\",\"total\":" + total + ",\"counts\":{" + counts + "},"
                + "\"reservedCredits\":340,\"spentCredits\":60}");
    }

    /** {@code GET /queues/batches/b1} as the query API writes BatchQueueView. */
    private static JsonNode queue(final String lanes, final String controls) throws Exception {
        return JSON.readTree("{\"batchId\":\"b1\",\"waiting\":120,\"lanes\":[" + lanes + "],\"handedOn\":20,\"lead\":20,"
                + "\"controls\":[" + controls + "]}");
    }

    private static String lane(final String priority, final String account, final long waiting, final boolean paused,
                               final boolean cancelled, final long ahead, final double share) {
        return "{\"priority\":\"" + priority + "\",\"accountId\":\"" + account + "\",\"waiting\":" + waiting
                + ",\"paused\":" + paused + ",\"cancelled\":" + cancelled + ",\"ahead\":" + ahead + ",\"share\":" + share + "}";
    }

    @Test
    void shouldShowStatesCreditsRateAndEtaWhenJobsWait() throws Exception {
        // given
        final JsonNode b = batch("\"QUEUED\":12,\"ADMITTED\":8,\"SUBMITTED\":14,\"COMPLETED\":6", 40);

        // when
        final var lines = StatusView.lines("b1", new StatusView.Seen(b, Optional.empty(), true,
                        Optional.of(new ProviderCallRate.Rate(1.97, Duration.ofMillis(10_164), false)), Optional.empty()), LIMIT,
                Optional.of(new BatchEta.Estimate(Duration.ofSeconds(8), BatchEta.Basis.LIMIT)));

        // then
        assertThat(lines).containsExactly(
                "batch b1: 40 jobs | QUEUED 12 ADMITTED 8 SUBMITTED 14 COMPLETED 6",
                "credits reserved 340, spent 60 | provider 2.0 calls/s over the last 10s, of 2.0 allowed (20/10s)",
                "ETA 0m08s for the 20 waiting to reach the provider, at the provider's limit");
    }

    @Test
    void shouldSayTheRateIsNotYetMeasuredWhenTheGatewayIsKnownButSampledTooShortly() throws Exception {
        final var lines = StatusView.lines("b1", new StatusView.Seen(batch("\"SUBMITTED\":2", 2), Optional.empty(), true,
                Optional.empty(), Optional.empty()), LIMIT, Optional.empty());
        assertThat(lines).containsExactly("batch b1: 2 jobs | SUBMITTED 2",
                "credits reserved 340, spent 60 | provider calls/s: not yet measured (takes 10s)");
    }

    @Test
    void shouldSayTheGatewayCallsFasterThanTheLimitGivenWhenTheRateIsAtLeastIt() throws Exception {
        final var lines = StatusView.lines("b1", new StatusView.Seen(batch("\"SUBMITTED\":2", 2), Optional.empty(), true,
                Optional.of(new ProviderCallRate.Rate(2.0, Duration.ofSeconds(30), true)), Optional.empty()), LIMIT,
                Optional.empty());
        assertThat(lines).contains("credits reserved 340, spent 60 | provider over 2.0 calls/s over the last 30s, of 2.0"
                + " allowed (20/10s): more than --provider-limit says the gateway makes");
    }

    @Test
    void shouldSayWhatTheGatewayReportsWhenItIsNotUp() throws Exception {
        // given what a local stack's gateway answered on /health once the provider's own credits ran out
        final String health = "{\"status\":\"DEGRADED\",\"reason\":\"provider out of credits (429): 20 jobs waiting,"
                + " balance 0, next job needs 10\",\"conditions\":{\"credits\":\"provider out of credits (429)\"}}";

        // when
        final var lines = StatusView.lines("b1", new StatusView.Seen(batch("\"QUEUED\":200", 200), Optional.empty(), true,
                Optional.empty(), GatewayProbe.problem(health)), LIMIT, Optional.empty());

        // then
        assertThat(lines).contains("gateway DEGRADED: provider out of credits (429): 20 jobs waiting, balance 0, next job needs 10");
        assertThat(GatewayProbe.problem("{\"status\":\"UP\",\"reason\":null,\"conditions\":{}}")).isEmpty();
        assertThat(GatewayProbe.problem("<html>Not Found</html>")).isEmpty();
    }

    @Test
    void shouldShowHeldJobsApartFromTheEtaWhenPausedOrThrottled() throws Exception {
        // given
        final JsonNode b = batch("\"PAUSED\":30,\"THROTTLED\":2,\"QUEUED\":4,\"COMPLETED\":4", 40);

        // when
        final var lines = StatusView.lines("b1", new StatusView.Seen(b, Optional.empty(), false, Optional.empty(), Optional.empty()), LIMIT,
                Optional.of(new BatchEta.Estimate(Duration.ofSeconds(-75), BatchEta.Basis.PACE)));

        // then
        assertThat(StatusView.count(b, StatusView.WAITING)).isEqualTo(4);
        assertThat(lines).containsExactly("batch b1: 40 jobs | PAUSED 30 THROTTLED 2 QUEUED 4 COMPLETED 4",
                "credits reserved 340, spent 60",
                "4 waiting, 1m15s past the estimate | 32 held (paused, or throttled for credits): not in the ETA");
    }

    @Test
    void shouldShowThePlaceInTheQueuesAndStandingControlsWhenTheQueryApiHasThem() throws Exception {
        // given a batch with a BULK lane behind 300 jobs of higher classes, and one account's jobs of it paused
        final JsonNode b = batch("\"QUEUED\":100,\"PAUSED\":20", 120);
        final JsonNode q = queue(lane("BULK", "label-north", 100, false, false, 300, 0.25) + ","
                        + lane("BULK", "label-south", 20, true, false, 300, 0),
                "{\"scope\":\"BATCH\",\"target\":\"b1\",\"accountId\":\"label-south\",\"action\":\"PAUSE\","
                        + "\"commandId\":\"c-1\",\"describe\":\"batch b1 of account label-south paused by alice "
                        + "(command c-1): masters late\",\"at\":1796527035000}");

        // when
        final var lines = StatusView.lines("b1", new StatusView.Seen(b, Optional.of(q), false, Optional.empty(), Optional.empty()), LIMIT,
                Optional.of(new BatchEta.Estimate(Duration.ofSeconds(350), BatchEta.Basis.QUEUE)));

        // then
        assertThat(lines).containsExactly("batch b1: 120 jobs | QUEUED 100 PAUSED 20", "credits reserved 340, spent 60",
                "queue: BULK label-north: 100 waiting, 300 ahead, then 25% of the calls | BULK label-south: 20 waiting, paused",
                "standing: batch b1 of account label-south paused by alice (command c-1): masters late",
                "ETA 5m50s for the 100 waiting to reach the provider, by the queues at the current shares"
                        + " | 20 held (paused, or throttled for credits): not in the ETA");
        assertThat(StatusView.queueSeconds(Optional.of(q), 2.0)).hasValueSatisfying(s -> assertThat(s).isCloseTo(350.0, Offset.offset(1e-9)));
    }

    @Test
    void shouldGiveNoQueueFigureWhenNoLaneMayGoOrOneHasNoShare() throws Exception {
        assertThat(StatusView.queueSeconds(Optional.empty(), 2.0)).isEmpty();
        assertThat(StatusView.queueSeconds(Optional.of(queue(lane("BULK", "a", 5, true, false, 0, 0), "")), 2.0)).isEmpty();
        assertThat(StatusView.queueSeconds(Optional.of(queue(lane("NORMAL", "a", 5, false, false, 0, 0), "")), 2.0)).isEmpty();
        assertThat(StatusView.queueSeconds(Optional.of(queue("", "")), 2.0)).isEmpty();
        assertThat(StatusView.queueSeconds(Optional.of(queue(lane("INTERACTIVE", "a", 4, false, false, 0, 1.0) + ","
                + lane("BULK", "a", 10, false, false, 6, 0.5), "")), 2.0)).hasValue(13.0);
    }

    @Test
    void shouldEndTheWatchOnlyWhenEveryJobHasEnded() throws Exception {
        assertThat(StatusView.allEnded(batch("\"COMPLETED\":3,\"FAILED\":1,\"CANCELLED\":2,\"TIMED_OUT\":1", 7))).isTrue();
        assertThat(StatusView.allEnded(batch("\"COMPLETED\":3,\"PAUSED\":1", 4))).isFalse();
        assertThat(StatusView.allEnded(batch("\"COMPLETED\":3,\"SUBMITTED\":0", 3))).isTrue();
    }
}
