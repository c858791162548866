package io.stemflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The figures {@code stemflow bench} derives from what it samples: 5 s buckets, the steady rate, stalls, percentiles. */
final class BenchFiguresTest {

    private static final long S = 1_000_000_000L;

    @Test
    void shouldCountJobsPerFiveSecondsFromTheSamplesWhenAdmissionStallsInTheMiddle() {
        // given: the scheduler's count sampled; nothing admitted between 10 s and 20 s
        final List<long[]> samples = List.of(new long[] {S, 100}, new long[] {5 * S, 1_000}, new long[] {9 * S, 2_000},
                new long[] {14 * S, 2_000}, new long[] {19 * S, 2_000}, new long[] {24 * S, 3_000},
                new long[] {27 * S, 3_500});

        // when
        final long[] buckets = Admission.buckets(samples);
        final Admission admission = new Admission(3_500, S, S, 27 * S, buckets, List.of());

        // then
        assertThat(buckets).containsExactly(1_000, 1_000, 0, 0, 1_000, 500);
        assertThat(admission.stalledBuckets()).isEqualTo(2);
        assertThat(admission.steadyPerSecond()).isEqualTo(200.0);
        assertThat(admission.endToEndPerSecond()).isCloseTo(129.6, within(0.1));
    }

    @Test
    void shouldCountNoStallWhenEveryBucketAdmitsSome() {
        // given
        final Admission admission = new Admission(2_500, S, S / 2, 12 * S, new long[] {1_000, 1_000, 500},
                List.of(Map.entry("separation-status", 5_000L), Map.entry("job-decisions", 2_500L)));

        // then
        assertThat(admission.stalledBuckets()).isZero();
        assertThat(admission.recordsWritten()).isEqualTo(7_500);
        assertThat(admission.recordsPerJob()).isEqualTo(3.0);
    }

    @Test
    void shouldTakeNearestRankPercentilesWhenLatenciesAreGiven() {
        // given: 1..100 ms
        final long[] nanos = new long[100];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (100 - i) * 1_000_000L;
        }

        // when
        final Latencies latencies = Latencies.ofNanos(nanos);

        // then
        assertThat(latencies.count()).isEqualTo(100);
        assertThat(latencies.p50Ms()).isEqualTo(50.0);
        assertThat(latencies.p99Ms()).isEqualTo(99.0);
        assertThat(latencies.maxMs()).isEqualTo(100.0);
        assertThat(Latencies.ofNanos(new long[0]).describe()).isEqualTo("none measured");
    }

    @Test
    void shouldWriteTheProviderContractsCallbackWhenTheBridgeIsBenchmarked() throws Exception {
        // when
        final var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(BridgeRun.body("bench-r-0000001"));

        // then: the success callback of a split_stem task, with the task id the benchmark's submitter gave it
        assertThat(body.path("code").asInt()).isEqualTo(200);
        assertThat(body.path("data").path("task_id").asText()).isEqualTo(SubmitterRole.taskOf("bench-r-0000001"));
        assertThat(body.path("data").path("vocal_removal_info").size()).isEqualTo(13);
        assertThat(body.path("data").path("vocal_removal_info").path("backing_vocals_url").asText())
                .endsWith("/bench-r-0000001/backing_vocals.mp3");
    }
}
