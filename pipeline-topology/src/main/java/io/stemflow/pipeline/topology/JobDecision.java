package io.stemflow.pipeline.topology;

/** The account side's answer to a RESERVE (topic job-decisions, key requestId). */
public record JobDecision(Kind kind, String requestId, int attempt, long credits, String reason, long at) {

    /** ADMITTED: credits reserved. THROTTLED: held until the account can cover it. */
    public enum Kind { ADMITTED, THROTTLED }
}
