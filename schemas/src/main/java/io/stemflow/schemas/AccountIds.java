package io.stemflow.schemas;

import java.util.regex.Pattern;

/**
 * The rule every accountId follows: 1 to 64 letters, digits, '.', '_', ':' or '-'. Account ids key
 * partitions, stores and ledger entries, and the throttled-job queue separates an account from its
 * sequence number with '|', so the rule is part of the contract: the topology, the CLI and any
 * producer check the same thing.
 */
public final class AccountIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** What a valid account id looks like, for error messages. */
    public static final String RULE = "1 to 64 letters, digits, '.', '_', ':' or '-'";

    private AccountIds() {
    }

    public static boolean isValid(final String accountId) {
        return accountId != null && VALID.matcher(accountId).matches();
    }
}
