package io.stemflow.schemas;

import io.stemflow.avro.LedgerEntry;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds balances from the credit journal alone: the check that the published balances are
 * nothing but the fold of {@code credit-ledger}, and the one rule by which tools ({@code stemflow audit})
 * audit an account.
 */
public final class LedgerFold {

    /** An account's credits as the journal says. */
    public record Balance(long granted, long available, long reserved, long spent) {

        public static final Balance ZERO = new Balance(0, 0, 0, 0);

        /**
         * This balance after entry {@code e}.
         *
         * @throws IllegalArgumentException for an entry of a kind no balance knows ({@code UNKNOWN})
         */
        public Balance apply(final LedgerEntry e) {
            final long c = e.getCredits();
            return switch (e.getKind()) {
                case GRANT -> new Balance(granted + c, available + c, reserved, spent);
                case RESERVATION -> new Balance(granted, available - c, reserved + c, spent);
                case CAPTURE -> new Balance(granted, available, reserved - c, spent + c);
                case RELEASE -> new Balance(granted, available + c, reserved - c, spent);
                case UNKNOWN -> throw new IllegalArgumentException("ledger entry of an unknown kind: " + e.getEntryId());
            };
        }

        /** "granted G, available A, reserved R, spent S", for reports. */
        public String describe() {
            return "granted " + granted + ", available " + available + ", reserved " + reserved + ", spent " + spent;
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
