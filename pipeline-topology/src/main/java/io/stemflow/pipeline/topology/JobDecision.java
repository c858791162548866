package io.stemflow.pipeline.topology;

/** The account side's answer to a RESERVE (topic job-decisions, key requestId). */
public record JobDecision(Kind kind, String requestId, int attempt, long credits, String reason, long at) {

    /**
     * ADMITTED: credits reserved. THROTTLED: held until the account can cover it. CANCELLED: its batch or
     * account was cancelled while it waited for credits, or before (nothing reserved; {@code reason} names the
     * command).
     */
    public enum Kind { ADMITTED, THROTTLED, CANCELLED }
}
