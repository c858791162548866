package io.stemflow.localstack;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.LedgerEntry;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The end of a demo run: its checks (every job ended; each account captured the cost of its completed jobs and
 * its published balance adds up with nothing left reserved) and the report printed from them.
 */
final class DemoReport {

    private static final Duration SETTLE = Duration.ofSeconds(60);

    private DemoReport() {
    }

    /**
     * The summary of a run whose jobs have ended or whose time is up. A job's capture follows its COMPLETED
     * status through the credit side: waits (at most {@link #SETTLE} in all) for the journal to catch up, then
     * for the published balances to settle.
     *
     * @param journal  the credit-ledger entries read since the last call
     * @param balances the two demo accounts' balances as published now
     */
    static Demo.Summary settle(final BatchTally tally, final Supplier<List<LedgerEntry>> journal,
                               final Supplier<Map<String, CreditBalance>> balances, final Clock clock,
                               final Instant start) {
        final Map<String, Long> expected = tally.expectedSpend();
        final Instant settleBy = clock.instant().plus(SETTLE);
        while (!tally.captured(expected) && clock.instant().isBefore(settleBy)) {
            tally.read(List.of(), List.of(), journal.get());
        }
        Map<String, CreditBalance> latest = balances.get();
        while (!settled(latest) && clock.instant().isBefore(settleBy)) {
            latest = balances.get();
        }
        final boolean balanced = settled(latest) && latest.size() == 2 && tally.captured(expected);
        return new Demo.Summary(tally.batchId(), tally.jobs(), tally.byState(), tally.stemsByType(), latest,
                tally.capturedByAccount(), expected, tally.allEnded(), balanced, Duration.between(start, clock.instant()));
    }

    /** Prints a summary and where to look next. */
    static void print(final Demo.Summary s, final StackInfo info, final PrintWriter out) {
        out.println();
        out.printf("stemflow demo summary (batch %s, %d jobs, %s)%n", s.batchId(), s.jobs(), s.took());
        out.println("  jobs by state    : " + s.jobsByState());
        out.println("  stems by type    : " + s.stemsByType() + " (" + s.stems() + " in all)");
        for (final CreditBalance b : s.balances().values()) {
            out.printf("  balance %-11s: granted %d, available %d, reserved %d, spent %d (this batch: %d expected, %d captured)%n",
                    b.getAccountId(), b.getGranted(), b.getAvailable(), b.getReserved(), b.getSpent(),
                    s.expectedSpendByAccount().getOrDefault(b.getAccountId(), 0L),
                    s.capturedByAccount().getOrDefault(b.getAccountId(), 0L));
        }
        out.println("  every job ended  : " + (s.allTerminal() ? "yes" : "NO"));
        out.println("  ledger balances  : " + (s.ledgerBalanced() ? "yes" : "NO"));
        out.println();
        out.println("Where to look next:");
        if (info.services().containsKey("query-api")) {
            out.println("  " + info.services().get("query-api") + "/dashboard/#/batches/" + s.batchId()
                    + "   the dashboard (sign in with the token in " + info.credentials().getOrDefault(
                    StackInfo.VIEWER_TOKEN_FILE, "the viewer token file") + ", or the operator's to act)");
            out.println("  " + info.services().get("query-api") + "/batches/" + s.batchId() + "   batch counts");
            out.println("  " + info.services().get("query-api") + "/accounts                 balances");
        }
        if (info.services().containsKey(LocalStack.ARCHIVE_SERVICE)) {
            out.println("  " + info.services().get(LocalStack.ARCHIVE_SERVICE) + "/<account>/" + s.batchId()
                    + "/<requestId>/<stem>.wav   the stems, archived (each announced on separation-archived)");
        }
        out.println("  topics: separation-stems, separation-archived, separation-status, separation-dlq, credit-ledger on "
                + info.bootstrapServers());
        out.println("  schemas: " + info.schemaRegistryUrl() + "/subjects");
        out.flush();
    }

    /** Every account's balance adds up, and nothing is left reserved by finished jobs. */
    private static boolean settled(final Map<String, CreditBalance> balances) {
        return balances.values().stream().allMatch(b ->
                b.getGranted() == b.getAvailable() + b.getReserved() + b.getSpent() && b.getReserved() == 0);
    }
}
