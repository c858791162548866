package io.stemflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemflow.avro.JobState;
import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.JobStates;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lines {@code stemflow status} shows of a batch, as a pure function of the query API's answer
 * ({@code GET /batches/{id}}) and of what was measured, so that what a person sees can be tested without
 * a terminal or a stack.
 */
final class StatusView {

    /** Jobs that reach the provider by themselves, in their turn: seen, queued, or handed to the submitter. */
    static final Set<JobState> WAITING = EnumSet.of(JobState.REQUESTED, JobState.QUEUED, JobState.ADMITTED);
    /** Jobs that wait for someone: a pause of their batch or account, or credits for their account. */
    static final Set<JobState> HELD = EnumSet.of(JobState.PAUSED, JobState.THROTTLED);

    private StatusView() {
    }

    static long count(final JsonNode batch, final Set<JobState> states) {
        return states.stream().mapToLong(s -> batch.path("counts").path(s.name()).asLong()).sum();
    }

    /** Whether every job of the batch has ended. */
    static boolean allEnded(final JsonNode batch) {
        for (final Iterator<Map.Entry<String, JsonNode>> it = batch.path("counts").fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            if (!JobStates.isTerminal(e.getKey()) && e.getValue().asLong() > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The batch's lines: its jobs by state; its credits and the provider's call rate; and, while jobs wait,
     * when the last of them should reach the provider (jobs held by a pause or for credits are not in it).
     *
     * @param gatewayKnown whether the gateway's metrics are read at all (without it, no provider rate is shown)
     * @param rate         the provider call rate, when measured
     */
    static List<String> lines(final String batchId, final JsonNode batch, final boolean gatewayKnown,
                              final Optional<ProviderCallRate.Rate> rate, final CallLimit limit,
                              final Optional<BatchEta.Estimate> eta) {
        final List<String> lines = new ArrayList<>();
        final StringBuilder states = new StringBuilder();
        for (final Iterator<Map.Entry<String, JsonNode>> it = batch.path("counts").fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            states.append(' ').append(CallerText.clip(e.getKey(), 40)).append(' ').append(e.getValue().asLong());
        }
        lines.add("batch " + CallerText.clip(batchId) + ": " + batch.path("total").asLong() + " jobs |" + states);
        final String credits = "credits reserved " + batch.path("reservedCredits").asLong() + ", spent "
                + batch.path("spentCredits").asLong();
        if (!gatewayKnown) {
            lines.add(credits);
        } else {
            lines.add(credits + rate.map(r -> String.format(Locale.ROOT,
                    " | provider %.1f calls/s over the last %ds, of %.1f allowed (%s)", r.perSecond(),
                    r.over().toSeconds(), limit.perSecond(), limit))
                    .orElse(" | provider calls/s: not yet measured (takes " + limit.window().toSeconds() + "s)"));
        }
        final long waiting = count(batch, WAITING);
        final long held = count(batch, HELD);
        final List<String> queue = new ArrayList<>();
        eta.filter(e -> waiting > 0).ifPresent(e -> queue.add(e.left().isNegative()
                ? waiting + " waiting, " + BatchEta.format(e.left().negated()) + " past the estimate"
                : "ETA " + BatchEta.format(e.left()) + " for the " + waiting + " waiting to reach the provider, at "
                        + (e.measured() ? "this batch's pace" : "the provider's limit")));
        if (held > 0) {
            queue.add(held + " held (paused, or throttled for credits): not in the ETA");
        }
        if (!queue.isEmpty()) {
            lines.add(String.join(" | ", queue));
        }
        return lines;
    }
}
