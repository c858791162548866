package io.stemflow.pipeline.topology;

/**
 * An account's credits (store credit-balances, key accountId). Invariant: granted = available +
 * reserved + spent. {@code budgeted} turns true with the first grant; before that the configured
 * policy for ungranted accounts decides.
 */
public record AccountState(String accountId, long granted, long available, long reserved, long spent,
                           boolean budgeted, long nextQueueSeq, long queued, long updatedAt) {

    static AccountState empty(final String accountId) {
        return new AccountState(accountId, 0, 0, 0, 0, false, 0, 0, 0);
    }

    AccountState grant(final long credits, final long at) {
        return new AccountState(accountId, granted + credits, available + credits, reserved, spent, true,
                nextQueueSeq, queued, at);
    }

    AccountState reserve(final long credits, final long at) {
        return new AccountState(accountId, granted, available - credits, reserved + credits, spent, budgeted,
                nextQueueSeq, queued, at);
    }

    AccountState capture(final long credits, final long at) {
        return new AccountState(accountId, granted, available, reserved - credits, spent + credits, budgeted,
                nextQueueSeq, queued, at);
    }

    AccountState release(final long credits, final long at) {
        return new AccountState(accountId, granted, available + credits, reserved - credits, spent, budgeted,
                nextQueueSeq, queued, at);
    }

    AccountState enqueued(final long at) {
        return new AccountState(accountId, granted, available, reserved, spent, budgeted, nextQueueSeq + 1,
                queued + 1, at);
    }

    AccountState dequeued() {
        return new AccountState(accountId, granted, available, reserved, spent, budgeted, nextQueueSeq, queued - 1,
                updatedAt);
    }

    boolean balanced() {
        return granted == available + reserved + spent;
    }
}
