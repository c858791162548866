package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What status shows of a batch, from the query API's JSON. */
class StatusViewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CallLimit LIMIT = new CallLimit(20, Duration.ofSeconds(10));

    private static JsonNode batch(final String counts, final long total) throws Exception {
        return JSON.readTree("{\"batchId\":\"b1\",\"total\":" + total + ",\"counts\":{" + counts + "},"
                + "\"reservedCredits\":340,\"spentCredits\":60}");
    }

    @Test
    void shouldShowStatesCreditsRateAndEtaWhenJobsWait() throws Exception {
        // given
        final JsonNode b = batch("\"QUEUED\":12,\"ADMITTED\":8,\"SUBMITTED\":14,\"COMPLETED\":6", 40);

        // when
        final var lines = StatusView.lines("b1", b, true,
                Optional.of(new ProviderCallRate.Rate(1.97, Duration.ofMillis(10_164))), LIMIT,
                Optional.of(new BatchEta.Estimate(Duration.ofSeconds(8), false)));

        // then
        assertThat(lines).containsExactly(
                "batch b1: 40 jobs | QUEUED 12 ADMITTED 8 SUBMITTED 14 COMPLETED 6",
                "credits reserved 340, spent 60 | provider 2.0 calls/s over the last 10s, of 2.0 allowed (20/10s)",
                "ETA 0m08s for the 20 waiting to reach the provider, at the provider's limit");
    }

    @Test
    void shouldSayTheRateIsNotYetMeasuredWhenTheGatewayIsKnownButSampledTooShortly() throws Exception {
        final var lines = StatusView.lines("b1", batch("\"SUBMITTED\":2", 2), true, Optional.empty(), LIMIT,
                Optional.empty());
        assertThat(lines).containsExactly("batch b1: 2 jobs | SUBMITTED 2",
                "credits reserved 340, spent 60 | provider calls/s: not yet measured (takes 10s)");
    }

    @Test
    void shouldShowHeldJobsApartFromTheEtaWhenPausedOrThrottled() throws Exception {
        // given
        final JsonNode b = batch("\"PAUSED\":30,\"THROTTLED\":2,\"QUEUED\":4,\"COMPLETED\":4", 40);

        // when
        final var lines = StatusView.lines("b1", b, false, Optional.empty(), LIMIT,
                Optional.of(new BatchEta.Estimate(Duration.ofSeconds(-75), true)));

        // then
        assertThat(StatusView.count(b, StatusView.WAITING)).isEqualTo(4);
        assertThat(lines).containsExactly("batch b1: 40 jobs | PAUSED 30 THROTTLED 2 QUEUED 4 COMPLETED 4",
                "credits reserved 340, spent 60",
                "4 waiting, 1m15s past the estimate | 32 held (paused, or throttled for credits): not in the ETA");
    }

    @Test
    void shouldEndTheWatchOnlyWhenEveryJobHasEnded() throws Exception {
        assertThat(StatusView.allEnded(batch("\"COMPLETED\":3,\"FAILED\":1,\"CANCELLED\":2,\"TIMED_OUT\":1", 7))).isTrue();
        assertThat(StatusView.allEnded(batch("\"COMPLETED\":3,\"PAUSED\":1", 4))).isFalse();
        assertThat(StatusView.allEnded(batch("\"COMPLETED\":3,\"SUBMITTED\":0", 3))).isTrue();
    }
}
