package io.stemflow.schemas;

import io.stemflow.avro.CreditGrant;

/**
 * What makes a record of {@code credit-grants} a grant the pipeline applies: written once, for the topology that
 * applies grants and for the tools that audit them ({@code stemflow audit}).
 */
public final class GrantRules {

    private GrantRules() {
    }

    /** Why the grant {@code g}, keyed {@code key}, is refused; {@code null} when it is applied. */
    public static String problem(final String key, final CreditGrant g) {
        if (g.getGrantId() == null || g.getGrantId().isBlank()) {
            return "grantId is missing";
        }
        if (!AccountIds.isValid(g.getAccountId())) {
            return "accountId '" + CallerText.clip(g.getAccountId()) + "' must be " + AccountIds.RULE;
        }
        if (!g.getAccountId().equals(key)) {
            return "record key '" + CallerText.clip(key) + "' is not the accountId '" + g.getAccountId() + "'";
        }
        if (g.getCredits() <= 0) {
            return "credits must be positive, was " + g.getCredits();
        }
        return null;
    }
}
