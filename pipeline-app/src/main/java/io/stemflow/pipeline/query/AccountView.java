package io.stemflow.pipeline.query;

import io.stemflow.pipeline.topology.AccountState;

/**
 * An account's credits as {@code GET /accounts/{accountId}} shows them. Invariant of the ledger:
 * granted = available + reserved + spent ({@code available} is negative for an account without a
 * grant when ungranted accounts are unlimited). {@code held} counts jobs waiting until the account
 * can cover them.
 */
public record AccountView(String accountId, long granted, long available, long reserved, long spent, long held) {

    public static AccountView of(final AccountState account) {
        return new AccountView(account.accountId(), account.granted(), account.available(), account.reserved(),
                account.spent(), account.queued());
    }
}
