package io.stemflow.cli.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Percentiles of a set of latencies, nearest rank: p50 is the value at or below which half of them lie.
 *
 * @param count how many latencies
 */
record Latencies(int count, double p50Ms, double p99Ms, double maxMs) {

    static Latencies ofNanos(final long[] nanos) {
        if (nanos.length == 0) {
            return new Latencies(0, Double.NaN, Double.NaN, Double.NaN);
        }
        final long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Latencies(sorted.length, ms(rank(sorted, 0.50)), ms(rank(sorted, 0.99)), ms(sorted[sorted.length - 1]));
    }

    private static long rank(final long[] sorted, final double quantile) {
        final int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(final long nanos) {
        return nanos / 1_000_000.0;
    }

    String describe() {
        return count == 0 ? "none measured"
                : String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d)", p50Ms, p99Ms, maxMs, count);
    }
}
