package io.stemflow.pipeline.topology;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.LedgerEntry;

/** Everything the credit accounts processor emits: one type per topic it can go to. */
sealed interface AccountOutput {

    /** To {@code credit-ledger}. */
    record Ledger(LedgerEntry value) implements AccountOutput {
    }

    /** To {@code credit-balances}. */
    record Balance(CreditBalance value) implements AccountOutput {
    }

    /** To the internal {@code job-decisions} topic, keyed by requestId. */
    record Decision(JobDecision value) implements AccountOutput {
    }

    /** To {@code separation-dlq}. */
    record Dead(DeadLetter value) implements AccountOutput {
    }
}
