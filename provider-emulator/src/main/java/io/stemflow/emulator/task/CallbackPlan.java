package io.stemflow.emulator.task;

import java.time.Duration;

/**
 * The delivery faults drawn for one task's callback.
 *
 * @param lost      never sent
 * @param duplicate delivered a second time after the first successful delivery
 * @param lateBy    extra delay before the first delivery (zero when not late)
 */
public record CallbackPlan(boolean lost, boolean duplicate, Duration lateBy) {
}
