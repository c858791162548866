package io.stemflow.emulator.task;

import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.LinkExpiry;
import io.stemflow.emulator.LinkFate;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.SeparationMode;
import io.stemflow.emulator.Stem;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws a {@link TaskPlan}. Task number {@code n} (counting accepted tasks from 0) gets its own random stream
 * derived from {@code (seed, n)}, and the draws happen in a fixed order: so with the same seed the n-th accepted
 * task gets the same id, processing time, outcome and callback faults, whatever else happened in between
 * (other streams, timing of deliveries). Shares are compared against draws only, so changing a share at
 * runtime changes which decisions flip but not the ids.
 *
 * <p>The link-expiry decisions come from a second stream of the task, salted, so adding them left every earlier
 * decision (ids, file token, outcome, callback faults) as it was: with link expiry off a plan is the same as
 * before link expiry existed.
 */
public final class TaskPlanner {

    /** Largest number of stems a partial split_stem result keeps (it always drops at least two). */
    private static final int MAX_PARTIAL_PRODUCED = 10;
    /** Salt of a task's link-expiry stream, so it is unrelated to the task's main stream. */
    private static final long LINK_STREAM = 0x11c4_e2b1_7e5e_ed05L;

    private final long seed;
    private final ProcessingTime processingTime;
    private final List<Integer> failureCodes;
    private final Duration lateDelay;

    public TaskPlanner(final long seed, final ProcessingTime processingTime, final List<Integer> failureCodes,
                       final Duration lateDelay) {
        this.seed = seed;
        this.processingTime = processingTime;
        this.failureCodes = List.copyOf(failureCodes);
        this.lateDelay = lateDelay;
    }

    /** A plan without link expiry. */
    public TaskPlan plan(final long sequence, final SeparationMode mode, final FaultShares faults) {
        return plan(sequence, mode, faults, LinkExpiry.NONE);
    }

    public TaskPlan plan(final long sequence, final SeparationMode mode, final FaultShares faults,
                         final LinkExpiry linkExpiry) {
        final long taskSeed = Seeds.mix(seed ^ Seeds.mix(sequence + 1));
        final SplittableRandom random = new SplittableRandom(taskSeed);
        final String taskId = Seeds.hex32(random);
        final String fileToken = Seeds.hex32(random);
        final double failureDraw = random.nextDouble();
        final int failureCode = failureCodes.get(random.nextInt(failureCodes.size()));
        final double partialDraw = random.nextDouble();
        final int partialProduced = random.nextInt(1, MAX_PARTIAL_PRODUCED + 1);
        final double lostDraw = random.nextDouble();
        final double duplicateDraw = random.nextDouble();
        final double lateDraw = random.nextDouble();
        final Duration processing = processingTime.draw(random);

        final TaskOutcome outcome;
        if (failureDraw < faults.taskFailures()) {
            outcome = TaskOutcome.Failed.of(failureCode);
        } else if (mode == SeparationMode.SPLIT_STEM && partialDraw < faults.partialStems()) {
            final List<Stem> all = mode.stems();
            final int nullEnd = Math.min(all.size(), partialProduced + 2);
            outcome = new TaskOutcome.Succeeded(all.subList(0, partialProduced), all.subList(partialProduced, nullEnd));
        } else {
            outcome = new TaskOutcome.Succeeded(mode.stems(), List.of());
        }
        final boolean lost = lostDraw < faults.lostCallbacks();
        final CallbackPlan callback = new CallbackPlan(lost,
                !lost && duplicateDraw < faults.duplicateCallbacks(),
                !lost && lateDraw < faults.lateCallbacks() ? lateDelay : Duration.ZERO);
        return new TaskPlan(taskId, fileToken, processing, outcome, callback,
                links(new SplittableRandom(Seeds.mix(taskSeed ^ LINK_STREAM)), outcome, linkExpiry));
    }

    /** Only successful tasks have links to expire; gone is a share of the early-expiring ones. */
    private static LinkPlan links(final SplittableRandom random, final TaskOutcome outcome,
                                  final LinkExpiry linkExpiry) {
        final double earlyDraw = random.nextDouble();
        final double goneDraw = random.nextDouble();
        final long refreshSeed = random.nextLong();
        if (!(outcome instanceof TaskOutcome.Succeeded) || !(earlyDraw < linkExpiry.earlyExpiryShare())) {
            return new LinkPlan(LinkFate.STANDARD, Duration.ZERO, refreshSeed);
        }
        final LinkFate fate = goneDraw < linkExpiry.goneShare() ? LinkFate.GONE : LinkFate.EARLY_EXPIRY;
        return new LinkPlan(fate, linkExpiry.earlyExpiryAfter(), refreshSeed);
    }
}
