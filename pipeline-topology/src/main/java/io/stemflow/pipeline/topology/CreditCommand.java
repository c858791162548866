package io.stemflow.pipeline.topology;

/**
 * What the job side asks of an account (topic credit-commands, key accountId). Exactly one
 * RESERVE per attempt, then exactly one CAPTURE or RELEASE of it.
 */
public record CreditCommand(Kind kind, String accountId, String requestId, int attempt, long credits, long at) {

    /** The three credit movements a job causes. */
    public enum Kind { RESERVE, CAPTURE, RELEASE }
}
