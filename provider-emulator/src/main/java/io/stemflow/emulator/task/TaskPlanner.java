package io.stemflow.emulator.task;

import io.stemflow.emulator.FaultShares;
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
 */
public final class TaskPlanner {

    /** Largest number of stems a partial split_stem result keeps (it always drops at least two). */
    private static final int MAX_PARTIAL_PRODUCED = 10;

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

    public TaskPlan plan(final long sequence, final SeparationMode mode, final FaultShares faults) {
        final SplittableRandom random = new SplittableRandom(Seeds.mix(seed ^ Seeds.mix(sequence + 1)));
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
        return new TaskPlan(taskId, fileToken, processing, outcome, callback);
    }
}
