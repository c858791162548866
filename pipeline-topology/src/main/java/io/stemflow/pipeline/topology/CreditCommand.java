package io.stemflow.pipeline.topology;

/**
 * What the job side asks of an account (topic credit-commands, key accountId). Exactly one
 * RESERVE per attempt, then exactly one CAPTURE or RELEASE of it.
 *
 * <p>CANCEL is an operator's cancel (from {@code separation-control}) passed on to the accounts, so jobs
 * still waiting for credits end at once instead of holding their account's queue: {@code batchId} the
 * cancelled batch (null: the whole account {@code accountId}), {@code accountId} null for every account's
 * part of the batch (then it is sent to every partition), {@code requestId} the command's id and
 * {@code reason} how the audit trail names it.
 *
 * @param batchId the job's batch on a RESERVE (null: none, or written before commands carried it)
 * @param reason  CANCEL only
 */
public record CreditCommand(Kind kind, String accountId, String requestId, int attempt, long credits, long at,
                            String batchId, String reason) {

    /** The credit movements a job causes, and an operator's cancel. */
    public enum Kind { RESERVE, CAPTURE, RELEASE, CANCEL }

    static CreditCommand cancel(final QueueEvent.Control control) {
        final boolean batch = control.scope() == io.stemflow.avro.ControlScope.BATCH;
        return new CreditCommand(Kind.CANCEL, batch ? control.accountId() : control.target(), control.commandId(), 0,
                0, control.at(), batch ? control.target() : null, control.describe());
    }
}
