package io.stemflow.pipeline.topology;

import io.stemflow.avro.LedgerEntry;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds balances from the credit journal alone: the check that the published balances are
 * nothing but the fold of {@code credit-ledger}, and a way for tools to audit an account.
 */
public final class LedgerFold {

    /** An account's credits as the journal says. */
    public record Balance(long granted, long available, long reserved, long spent) {

        static final Balance ZERO = new Balance(0, 0, 0, 0);

        Balance apply(final LedgerEntry e) {
            final long c = e.getCredits();
            return switch (e.getKind()) {
                case GRANT -> new Balance(granted + c, available + c, reserved, spent);
                case RESERVATION -> new Balance(granted, available - c, reserved + c, spent);
                case CAPTURE -> new Balance(granted, available, reserved - c, spent + c);
                case RELEASE -> new Balance(granted, available + c, reserved - c, spent);
                case UNKNOWN -> throw new IllegalArgumentException("ledger entry of an unknown kind: " + e.getEntryId());
            };
        }

        /** granted = available + reserved + spent. */
        public boolean balanced() {
            return granted == available + reserved + spent;
        }
    }

    private LedgerFold() {
    }

    /** Balances per account, folded from the entries in journal order. */
    public static Map<String, Balance> fold(final Iterable<LedgerEntry> entries) {
        final Map<String, Balance> balances = new TreeMap<>();
        for (final LedgerEntry e : entries) {
            balances.put(e.getAccountId(), balances.getOrDefault(e.getAccountId(), Balance.ZERO).apply(e));
        }
        return balances;
    }
}
