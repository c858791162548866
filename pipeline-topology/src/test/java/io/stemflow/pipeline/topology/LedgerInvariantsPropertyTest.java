package io.stemflow.pipeline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.JobState;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.LedgerFold;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random interleavings of grants, requests, outcomes, duplicate, late and forged results, replays
 * and time: after every one, the ledger's invariants hold.
 */
class LedgerInvariantsPropertyTest {

    private static final List<String> ACCOUNTS = List.of("acct-a", "acct-b");
    private static final List<String> REQUESTS = List.of("r1", "r2", "r3", "r4", "r5", "r6");

    /** One step of a random run. */
    record Step(int kind, int request, int account, int amount) {
    }

    @Provide
    Arbitrary<List<Step>> runs() {
        final Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, REQUESTS.size() - 1),
                Arbitraries.integers().between(0, ACCOUNTS.size() - 1),
                Arbitraries.integers().between(1, 12)).as(Step::new);
        return step.list().ofMinSize(5).ofMaxSize(60);
    }

    @Property(tries = 60)
    void shouldKeepTheLedgerBalancedAndChargeOnceWhateverTheOrder(@ForAll("runs") final List<Step> run) {
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.defaults()
                .withTimeouts(Duration.ofMinutes(1), Duration.ofMinutes(1), 1)
                .withPunctuateInterval(Duration.ofSeconds(1)))) {
            final Map<String, String> tasks = new HashMap<>();
            final Map<String, Integer> attempts = new HashMap<>();
            final List<LedgerEntry> ledger = new java.util.ArrayList<>();
            final List<StemReady> stems = new java.util.ArrayList<>();
            int grantSeq = 0;
            for (final Step s : run) {
                final String r = REQUESTS.get(s.request());
                final String account = ACCOUNTS.get(s.request() % ACCOUNTS.size());
                final int attempt = attempts.getOrDefault(r, 1);
                switch (s.kind()) {
                    case 0 -> h.grant("g" + (grantSeq++), ACCOUNTS.get(s.account()), s.amount() * 10L);
                    case 1 -> h.submit(TopologyHarness.request(r, account,
                            s.amount() % 2 == 0 ? SeparationType.SPLIT_STEM : SeparationType.SEPARATE_VOCAL, attempt));
                    case 2 -> tasks.put(r, h.accept(r, attempt));
                    case 3 -> h.reject(r, attempt, 500, "retries exhausted");
                    case 4, 5 -> h.succeed(r, tasks.getOrDefault(r, "no-task"), Stem.VOCALS, Stem.INSTRUMENTAL);
                    case 6 -> h.failResult(r, tasks.getOrDefault(r, "no-task"), 451);
                    case 7 -> h.succeed(r, "forged-" + r, Stem.VOCALS);
                    case 8 -> {
                        attempts.put(r, attempt + 1);
                        h.submit(TopologyHarness.request(r, account, SeparationType.SEPARATE_VOCAL, attempt + 1));
                    }
                    default -> h.advance(Duration.ofSeconds(61));
                }
                ledger.addAll(TopologyHarness.values(h.ledger));
                stems.addAll(TopologyHarness.values(h.stems));
                assertInvariants(h, ledger, stems);
            }
        }
    }

    private static void assertInvariants(final TopologyHarness h, final List<LedgerEntry> ledger,
                                         final List<StemReady> stems) {
        // granted = available + reserved + spent, in the store and in the folded journal
        for (final var entry : LedgerFold.fold(ledger).entrySet()) {
            final LedgerFold.Balance b = entry.getValue();
            assertThat(b.balanced()).as("granted = available + reserved + spent for %s", entry.getKey()).isTrue();
            final AccountState store = h.account(entry.getKey());
            assertThat(new LedgerFold.Balance(store.granted(), store.available(), store.reserved(), store.spent()))
                    .as("store equals the folded journal for %s", entry.getKey()).isEqualTo(b);
            assertThat(b.reserved()).as("reserved never negative").isGreaterThanOrEqualTo(0);
        }
        // at most one capture per requestId; never both capture and release of one reservation
        final Map<String, Integer> captures = new HashMap<>();
        final Set<String> settled = new HashSet<>();
        for (final LedgerEntry e : ledger) {
            if (e.getKind() == LedgerEntryKind.CAPTURE) {
                captures.merge(e.getRequestId(), 1, Integer::sum);
            }
            if (e.getKind() == LedgerEntryKind.CAPTURE || e.getKind() == LedgerEntryKind.RELEASE) {
                assertThat(settled.add(e.getRequestId() + "/" + e.getAttempt()))
                        .as("reservation %s/%s settled once", e.getRequestId(), e.getAttempt()).isTrue();
            }
        }
        assertThat(captures.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
        // stems exactly once per (job, stem), and only for completed jobs, each of which was captured
        final Set<String> stemKeys = new HashSet<>();
        for (final StemReady s : stems) {
            assertThat(stemKeys.add(s.getRequestId() + "/" + s.getStem())).as("one %s of %s", s.getStem(), s.getRequestId())
                    .isTrue();
            assertThat(h.state(s.getRequestId())).isEqualTo(JobState.COMPLETED);
            assertThat(captures).containsKey(s.getRequestId());
        }
    }
}
