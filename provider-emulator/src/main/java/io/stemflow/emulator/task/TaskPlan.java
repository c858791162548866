package io.stemflow.emulator.task;

import java.time.Duration;

/**
 * Every random decision about one task, made at acceptance from the task's own seeded stream.
 *
 * @param providerTaskId the new task's id (32 hex digits)
 * @param fileToken      the path token of the task's stem files (32 hex digits)
 * @param processingTime acceptance to completion
 * @param outcome        success (with stems) or failure (with code)
 * @param callback       delivery faults
 * @param links          link expiry: standard, early expiry with fresh links from record-info, or gone
 */
public record TaskPlan(String providerTaskId, String fileToken, Duration processingTime, TaskOutcome outcome,
                       CallbackPlan callback, LinkPlan links) {
}
