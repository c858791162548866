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
 * The lines {@code stemflow status} shows of a batch, as a pure function of the query API's answers
 * ({@code GET /batches/{id}}, and {@code GET /queues/batches/{id}} where the query API has the scheduler's
 * queues) and of what was measured, so that what a person sees can be tested without a terminal or a stack.
 */
final class StatusView {

    /** Jobs that reach the provider by themselves, in their turn: seen, queued, or handed to the submitter. */
    static final Set<JobState> WAITING = EnumSet.of(JobState.REQUESTED, JobState.QUEUED, JobState.ADMITTED);
    /** Jobs that wait for someone: a pause of their batch or account, or credits for their account. */
    static final Set<JobState> HELD = EnumSet.of(JobState.PAUSED, JobState.THROTTLED);

    /**
     * What one redraw saw.
     *
     * @param batch        {@code GET /batches/{id}}
     * @param queue        {@code GET /queues/batches/{id}}, when the query API answers it
     * @param gatewayKnown whether the gateway's metrics are read at all (without it, no provider rate is shown)
     * @param rate         the provider call rate, when measured
     * @param gatewayProblem what the gateway says is wrong with it, when it is not UP
     */
    record Seen(JsonNode batch, Optional<JsonNode> queue, boolean gatewayKnown, Optional<ProviderCallRate.Rate> rate,
                Optional<String> gatewayProblem) {
    }

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
     * Seconds until the batch's last queued job is handed on, by the scheduler's figures: for each lane (a
     * class and an account) that may go, {@code (ahead + waiting / share) / perSecond}, the longest of them
     * (the query API's own formula). Empty when no lane may go, or one that may has no share to go by.
     */
    static Optional<Double> queueSeconds(final Optional<JsonNode> queue, final double perSecond) {
        if (queue.isEmpty()) {
            return Optional.empty();
        }
        double longest = -1;
        for (final JsonNode lane : queue.get().path("lanes")) {
            if (lane.path("paused").asBoolean() || lane.path("cancelled").asBoolean() || lane.path("waiting").asLong() <= 0) {
                continue;
            }
            final double share = lane.path("share").asDouble();
            if (share <= 0) {
                return Optional.empty();
            }
            longest = Math.max(longest, (lane.path("ahead").asLong() + lane.path("waiting").asLong() / share) / perSecond);
        }
        return longest < 0 ? Optional.empty() : Optional.of(longest);
    }

    /**
     * The batch's lines: its jobs by state; its credits and the provider's call rate; its place in the queues;
     * the standing pauses and cancels of it; and, while jobs wait, when the last of them should reach the
     * provider (jobs held by a pause or for credits are not in it).
     */
    static List<String> lines(final String batchId, final Seen seen, final CallLimit limit,
                              final Optional<BatchEta.Estimate> eta) {
        final JsonNode batch = seen.batch();
        final List<String> lines = new ArrayList<>();
        final StringBuilder states = new StringBuilder();
        for (final Iterator<Map.Entry<String, JsonNode>> it = batch.path("counts").fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            states.append(' ').append(CallerText.clip(e.getKey(), 40)).append(' ').append(e.getValue().asLong());
        }
        lines.add("batch " + CallerText.clip(batchId) + ": " + batch.path("total").asLong() + " jobs |" + states);
        final String credits = "credits reserved " + batch.path("reservedCredits").asLong() + ", spent "
                + batch.path("spentCredits").asLong();
        if (!seen.gatewayKnown()) {
            lines.add(credits);
        } else {
            lines.add(credits + seen.rate().map(r -> String.format(Locale.ROOT,
                    " | provider %s%.1f calls/s over the last %ds, of %.1f allowed (%s)%s", r.atLeast() ? "over " : "",
                    r.perSecond(), r.over().toSeconds(), limit.perSecond(), limit,
                    r.atLeast() ? ": more than --provider-limit says the gateway makes" : ""))
                    .orElse(" | provider calls/s: not yet measured (takes " + limit.window().toSeconds() + "s)"));
        }
        seen.gatewayProblem().ifPresent(problem -> lines.add("gateway " + problem));
        seen.queue().ifPresent(queue -> {
            final List<String> lanes = new ArrayList<>();
            for (final JsonNode lane : queue.path("lanes")) {
                lanes.add(lane(lane));
            }
            if (!lanes.isEmpty()) {
                lines.add("queue: " + String.join(" | ", lanes));
            }
            for (final JsonNode control : queue.path("controls")) {
                lines.add("standing: " + CallerText.clip(control.path("describe").asText(), 300));
            }
        });
        final long waiting = count(batch, WAITING);
        final long held = count(batch, HELD);
        final List<String> last = new ArrayList<>();
        eta.filter(e -> waiting > 0).ifPresent(e -> last.add(e.left().isNegative()
                ? waiting + " waiting, " + BatchEta.format(e.left().negated()) + " past the estimate"
                : "ETA " + BatchEta.format(e.left()) + " for the " + waiting + " waiting to reach the provider, "
                        + basis(e.basis())));
        if (held > 0) {
            last.add(held + " held (paused, or throttled for credits): not in the ETA");
        }
        if (!last.isEmpty()) {
            lines.add(String.join(" | ", last));
        }
        return lines;
    }

    /** {@code BULK label-north: 120 waiting, 300 ahead, then 25% of the calls}, or its hold. */
    private static String lane(final JsonNode lane) {
        final String name = CallerText.clip(lane.path("priority").asText(), 20) + " "
                + CallerText.clip(lane.path("accountId").asText(), 64) + ": " + lane.path("waiting").asLong() + " waiting";
        if (lane.path("cancelled").asBoolean()) {
            return name + ", cancelled";
        }
        if (lane.path("paused").asBoolean()) {
            return name + ", paused";
        }
        return name + ", " + lane.path("ahead").asLong() + " ahead, then "
                + String.format(Locale.ROOT, "%.0f%%", 100 * lane.path("share").asDouble()) + " of the calls";
    }

    private static String basis(final BatchEta.Basis basis) {
        switch (basis) {
            case QUEUE:
                return "by the queues at the current shares";
            case PACE:
                return "at this batch's pace";
            default:
                return "at the provider's limit";
        }
    }
}
