package io.stemflow.pipeline.topology;

import static io.stemflow.pipeline.topology.TopologyHarness.request;
import static io.stemflow.pipeline.topology.TopologyHarness.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.pipeline.topology.TopologyConfig.UngrantedAccounts;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import io.stemflow.schemas.LedgerFold;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CreditLedgerTopologyTest {

    private TopologyHarness h = TopologyHarness.withDefaults();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void shouldHoldJobsAndAdmitThemOldestFirstWhenGrantsMakeRoom() {
        // given an account with room for one split_stem and one separate_vocal
        h.grant("g1", "label", 60);

        // when three jobs arrive: 50, 50, 10 credits
        h.submit(request("a", "label", SeparationType.SPLIT_STEM));
        h.submit(request("b", "label", SeparationType.SPLIT_STEM));
        h.submit(request("c", "label", SeparationType.SEPARATE_VOCAL));

        // then the first is admitted; the second waits, and the third waits behind it although it would fit
        assertThat(h.state("a")).isEqualTo(JobState.ADMITTED);
        assertThat(h.state("b")).isEqualTo(JobState.THROTTLED);
        assertThat(h.state("c")).isEqualTo(JobState.THROTTLED);
        assertThat(values(h.status)).filteredOn(s -> s.getState() == JobState.THROTTLED)
                .extracting(JobStatus::getReason).first().asString().contains("10 credits available");

        // when 40 more credits arrive, the oldest held job goes first
        h.grant("g2", "label", 40);
        assertThat(h.state("b")).isEqualTo(JobState.ADMITTED);
        assertThat(h.state("c")).isEqualTo(JobState.THROTTLED);

        // and the last one once there is room for it
        h.grant("g3", "label", 10);
        assertThat(h.state("c")).isEqualTo(JobState.ADMITTED);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("a", "b", "c");
        final AccountState account = h.account("label");
        assertThat(account.available()).isZero();
        assertThat(account.reserved()).isEqualTo(110);
        assertThat(account.balanced()).isTrue();
    }

    @Test
    void shouldAdmitAHeldJobWhenAReleaseMakesRoom() {
        // given
        h.grant("g1", "label", 50);
        h.submit(request("a", "label", SeparationType.SPLIT_STEM));
        h.submit(request("b", "label", SeparationType.SPLIT_STEM));
        assertThat(h.state("b")).isEqualTo(JobState.THROTTLED);

        // when the first job fails and releases its credits
        h.reject("a", 1, 400, "Invalid parameters");

        // then
        assertThat(h.state("b")).isEqualTo(JobState.ADMITTED);
        assertThat(h.account("label").reserved()).isEqualTo(50);
        assertThat(h.account("label").available()).isZero();
    }

    @Test
    void shouldHoldJobsOfAccountsWithoutGrantWhenConfiguredToBlockThem() {
        // given
        h.close();
        h = new TopologyHarness(TopologyConfig.defaults().withUngrantedAccounts(UngrantedAccounts.BLOCKED));

        // when
        h.submit(request("a", "new-team", SeparationType.SEPARATE_VOCAL));

        // then
        assertThat(h.state("a")).isEqualTo(JobState.THROTTLED);
        assertThat(values(h.status)).filteredOn(s -> s.getState() == JobState.THROTTLED)
                .extracting(JobStatus::getReason).first().asString().contains("no grant");
        h.grant("g1", "new-team", 10);
        assertThat(h.state("a")).isEqualTo(JobState.ADMITTED);
    }

    @Test
    void shouldLetAccountsWithoutGrantRunAndRecordTheirSpendingByDefault() {
        // when
        h.submit(request("a", "demo", SeparationType.SEPARATE_VOCAL));
        h.succeed("a", h.accept("a", 1), Stem.VOCALS);

        // then
        final AccountState account = h.account("demo");
        assertThat(account.spent()).isEqualTo(10);
        assertThat(account.granted()).isZero();
        assertThat(account.available()).isEqualTo(-10);
        assertThat(account.balanced()).isTrue();
    }

    @Test
    void shouldCountAGrantOnceWhenItArrivesTwice() {
        // when
        h.grant("g1", "label", 100);
        h.grant("g1", "label", 100);

        // then
        assertThat(h.account("label").granted()).isEqualTo(100);
        assertThat(values(h.ledger)).hasSize(1);
        assertThat(h.metrics.total(Event.DUPLICATE_GRANT)).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterAGrantWhenItsCreditsAreNotPositive() {
        // when
        h.grant("g-bad", "label", -5);

        // then
        assertThat(values(h.deadLetters)).singleElement().satisfies(d -> {
            assertThat(d.getKind()).isEqualTo(DeadLetterKind.INVALID_RECORD);
            assertThat(d.getReason()).contains("credits must be positive");
            // the grant's own topic and offset, not the repartition topic it went through
            assertThat(d.getSourceTopic()).isEqualTo("credit-grants");
            assertThat(d.getSourcePartition()).isZero();
            assertThat(d.getSourceOffset()).isZero();
        });
        assertThat(h.account("label")).isNull();
    }

    @Test
    void shouldPublishBalancesThatEqualTheFoldOfTheJournalWhenJobsMove() {
        // given a mix of grants, completions, failures
        h.grant("g1", "label", 200);
        h.submit(request("a", "label", SeparationType.SPLIT_STEM));
        h.submit(request("b", "label", SeparationType.SEPARATE_VOCAL));
        h.submit(request("c", "label", SeparationType.SPLIT_STEM));
        h.succeed("a", h.accept("a", 1), Stem.VOCALS, Stem.DRUMS);
        h.failResult("b", h.accept("b", 1), 500);
        h.accept("c", 1);

        // when the journal is folded
        final LedgerFold.Balance folded = LedgerFold.fold(values(h.ledger)).get("label");

        // then it equals the last published balance and the store
        final List<CreditBalance> balances = values(h.balances);
        final CreditBalance last = balances.get(balances.size() - 1);
        assertThat(new LedgerFold.Balance(last.getGranted(), last.getAvailable(), last.getReserved(), last.getSpent()))
                .isEqualTo(folded);
        assertThat(folded).isEqualTo(new LedgerFold.Balance(200, 100, 50, 50));
        final AccountState store = h.account("label");
        assertThat(new LedgerFold.Balance(store.granted(), store.available(), store.reserved(), store.spent()))
                .isEqualTo(folded);
        assertThat(values(h.deadLetters)).extracting(DeadLetter::getKind).containsExactly(DeadLetterKind.JOB_FAILED);
    }

    @Test
    void shouldCountJobsOfABatchByStateWhenTheyMove() {
        // when
        h.submit(request("a", "label", SeparationType.SPLIT_STEM));
        h.submit(request("b", "label", SeparationType.SEPARATE_VOCAL));
        h.submit(request("c", "label", SeparationType.SEPARATE_VOCAL));
        h.succeed("a", h.accept("a", 1), Stem.VOCALS);
        h.reject("b", 1, 400, "bad");

        // then
        final BatchTally tally = h.batch("batch-1");
        assertThat(tally.counts()).containsEntry(JobState.COMPLETED, 1L).containsEntry(JobState.FAILED, 1L)
                .containsEntry(JobState.ADMITTED, 1L).hasSize(3);
        assertThat(tally.total()).isEqualTo(3);
        assertThat(tally.spentCredits()).as("a (split_stem) completed").isEqualTo(50);
        assertThat(tally.reservedCredits()).as("c (separate_vocal) admitted").isEqualTo(10);
    }
}
