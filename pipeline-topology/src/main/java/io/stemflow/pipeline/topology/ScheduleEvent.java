package io.stemflow.pipeline.topology;

/**
 * The scheduler's word about one waiting job, back to the job side (internal topic {@code job-schedule}, key
 * requestId).
 *
 * @param reason for HOLD, UNHOLD and CANCEL: the command that caused it, for the audit trail
 */
public record ScheduleEvent(Kind kind, String requestId, int attempt, String reason, long at) {

    /**
     * RELEASE: hand the job to the gateway now. HOLD: its batch or account is paused. UNHOLD: it waits again.
     * CANCEL: end it as CANCELLED and release its credits.
     */
    public enum Kind { RELEASE, HOLD, UNHOLD, CANCEL }
}
