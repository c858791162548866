package io.stemflow.localstack;

import io.stemflow.avro.JobState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The demo's status line ({@code  12/60 done | SUBMITTED 8 COMPLETED 12 | stems 96 | ...}), printed every
 * {@value #EVERY_SECONDS} s and once more when every job has ended.
 */
final class DemoProgress {

    private static final long EVERY_SECONDS = 2;
    private static final List<JobState> ORDER = List.of(JobState.REQUESTED, JobState.THROTTLED, JobState.ADMITTED,
            JobState.SUBMITTED, JobState.RECONCILING, JobState.COMPLETED, JobState.FAILED, JobState.TIMED_OUT);

    private final Clock clock;
    private final Supplier<String> providerLine;
    private Instant next;

    /** @param providerLine one line about the provider (e.g. its request rate against the limit), or null */
    DemoProgress(final Clock clock, final Supplier<String> providerLine) {
        this.clock = clock;
        this.providerLine = providerLine;
        this.next = clock.instant();
    }

    /** Prints the line if it is due or every job has ended. */
    void show(final BatchTally tally, final PrintWriter out) {
        if (!clock.instant().isBefore(next) || tally.allEnded()) {
            out.println("  " + line(tally));
            out.flush();
            next = clock.instant().plus(Duration.ofSeconds(EVERY_SECONDS));
        }
    }

    private String line(final BatchTally tally) {
        final Map<JobState, Long> counts = tally.seenByState();
        final StringBuilder line = new StringBuilder();
        line.append(String.format("%3d/%d done |", tally.ended(), tally.jobs()));
        for (final JobState state : ORDER) {
            final long n = counts.getOrDefault(state, 0L);
            if (n > 0) {
                line.append(' ').append(state).append(' ').append(n);
            }
        }
        line.append(" | stems ").append(tally.stems());
        if (providerLine != null) {
            line.append(" | ").append(providerLine.get());
        }
        return line.toString();
    }
}
