package io.stemflow.pipeline.topology;

/**
 * A row of the scheduler's lane index (store queue-lanes), one shape for three kinds of row, told apart by
 * their keys ({@link QueueKeys}): a batch lane (jobs waiting in one class, account and batch), an account
 * lane (jobs waiting in one class and account, with its deficit-round-robin deficit and the batch lane it
 * served last), and a class's pointer (the account being served, in {@code last}).
 *
 * @param waiting jobs waiting in the lane
 * @param deficit calls the account may still take in its current turn (account lanes)
 * @param last    the last job that left (batch lanes: its head is after it), the batch served last (account
 *                lanes) or the account being served (class pointers)
 */
public record QueueLane(long waiting, long deficit, String last) {

    static final QueueLane EMPTY = new QueueLane(0, 0, null);

    QueueLane plusWaiting(final long delta) {
        return new QueueLane(waiting + delta, deficit, last);
    }

    QueueLane withDeficit(final long newDeficit) {
        return new QueueLane(waiting, newDeficit, last);
    }

    QueueLane withLast(final String newLast) {
        return new QueueLane(waiting, deficit, newLast);
    }
}
