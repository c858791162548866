package io.stemflow.pipeline.topology;

/**
 * The account side's record of a job's credits (store credit-reservations, key requestId): the
 * guard that makes "one capture per requestId, never both capture and release" hold even if a
 * command were ever repeated.
 */
public record Reservation(String accountId, int attempt, long credits, Status status) {

    /**
     * QUEUED: waiting for room (throttled). RESERVED, then CAPTURED or RELEASED. CANCELLED: cancelled by an
     * operator before anything was reserved.
     */
    public enum Status { QUEUED, RESERVED, CAPTURED, RELEASED, CANCELLED }

    Reservation with(final Status newStatus) {
        return new Reservation(accountId, attempt, credits, newStatus);
    }
}
