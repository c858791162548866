package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.schemas.DeadLetterRules;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider's balance reconciled with the records since a baseline, in memory: baseline offsets are 10 on
 * partition 0 of the three topics, so offsets below 10 are before the baseline.
 */
final class ProviderReconciliationTest {

    private static final Instant AT = Instant.parse("2026-12-06T12:00:00Z");
    private static final long BEFORE = 5;
    private static final long SINCE = 20;

    private final ProviderReconciliation r = new ProviderReconciliation(Map.of(0, 10L), Map.of(0, 10L),
            Map.of(0, 10L));

    @Test
    void shouldHoldWhenEveryChargeSinceTheBaselineIsCaptured() {
        // given two attempts accepted and captured since the baseline (10 + 20), and one accepted and captured before
        accepted("j1", 1, SINCE);
        reserve("j1", 1, 10, SINCE);
        capture("j1", 1, 10, SINCE);
        accepted("j2", 1, SINCE);
        reserve("j2", 1, 20, SINCE);
        capture("j2", 1, 20, SINCE);
        accepted("old", 1, BEFORE);
        capture("old", 1, 10, BEFORE);

        // when the provider spent 30
        final ProviderReconciliation.Result result = r.reconcile(1000, 970);

        // then
        assertThat(result.holds()).isTrue();
        assertThat(result.providerSpent()).isEqualTo(30);
        assertThat(result.captured()).isEqualTo(30);
        assertThat(result.difference()).isZero();
        assertThat(result.explanations()).isEmpty();
    }

    @Test
    void shouldHoldExplainingTheDifferenceWhenJobsAreInFlightFailedOrChargedBeforeTheBaseline() {
        // given one attempt in flight (20), one the provider charged and then failed (10, released), and one captured
        // since the baseline that the provider charged before it (10)
        accepted("flying", 1, SINCE);
        reserve("flying", 1, 20, SINCE);
        accepted("failed", 1, SINCE);
        reserve("failed", 1, 10, SINCE);
        ledger("failed", 1, LedgerEntryKind.RELEASE, 10, SINCE);
        accepted("straddling", 1, BEFORE);
        reserve("straddling", 1, 10, BEFORE);
        capture("straddling", 1, 10, SINCE);

        // when the provider spent 30 and the ledger captured 10 since the baseline
        final ProviderReconciliation.Result result = r.reconcile(1000, 970);

        // then the difference of 20 is explained job by job
        assertThat(result.holds()).isTrue();
        assertThat(result.difference()).isEqualTo(20);
        assertThat(result.unexplained()).isZero();
        assertThat(result.explanations()).extracting(ProviderReconciliation.Explanation::credits)
                .containsExactlyInAnyOrder(20L, 10L, -10L);
        assertThat(result.explanations()).extracting(ProviderReconciliation.Explanation::what).anySatisfy(w ->
                assertThat(w).contains("job flying attempt 1").contains("in flight"));
        assertThat(result.explanations()).extracting(ProviderReconciliation.Explanation::what).anySatisfy(w ->
                assertThat(w).contains("job failed attempt 1").contains("released"));
        assertThat(result.explanations()).extracting(ProviderReconciliation.Explanation::what).anySatisfy(w ->
                assertThat(w).contains("job straddling attempt 1").contains("accepted by the provider before it"));
    }

    @Test
    void shouldHoldExplainingAResubmissionWhenAResultCameForATaskWithNoAcceptedSubmission() {
        // given a job accepted and captured as task t-twice (10), whose first task t-lost was charged by the provider
        // but its outcome never committed (the active gateway died): its result came twice, as TASK_MISMATCH
        accepted("twice", 1, SINCE);
        reserve("twice", 1, 10, SINCE);
        capture("twice", 1, 10, SINCE);
        mismatch("twice", "t-lost", SINCE);
        mismatch("twice", "t-lost", SINCE + 1);
        // and a late result of an earlier attempt's task, which was recorded (already counted), and a mismatch from
        // before the baseline (not counted)
        accepted("replayed", 1, BEFORE);
        r.onSubmission(0, SINCE, outcome("replayed", 2, SubmissionStatus.ACCEPTED, "t-replayed-2"));
        reserve("replayed", 2, 10, SINCE);
        capture("replayed", 2, 10, SINCE);
        mismatch("replayed", "t-replayed", SINCE);
        mismatch("old", "t-old", BEFORE);

        // when the provider spent 30: both of twice's tasks and replayed's second attempt
        final ProviderReconciliation.Result result = r.reconcile(1000, 970);

        // then the 10 beyond the captures are explained by the job submitted twice, once
        assertThat(result.holds()).as("%s", result).isTrue();
        assertThat(result.difference()).isEqualTo(10);
        assertThat(result.explanations()).singleElement().satisfies(e -> {
            assertThat(e.credits()).isEqualTo(10);
            assertThat(e.what()).contains("job twice").contains("provider task t-lost").contains("submitted again");
        });
    }

    @Test
    void shouldBreakWhenTheProviderChargedMoreThanTheJobsExplain() {
        // given one attempt accepted and captured since the baseline (10), and a rejected one (not charged)
        accepted("j1", 1, SINCE);
        reserve("j1", 1, 10, SINCE);
        capture("j1", 1, 10, SINCE);
        r.onSubmission(0, SINCE, outcome("j2", 1, SubmissionStatus.REJECTED));

        // when the provider spent 35
        final ProviderReconciliation.Result result = r.reconcile(1000, 965);

        // then 25 are explained by no job
        assertThat(result.holds()).isFalse();
        assertThat(result.difference()).isEqualTo(25);
        assertThat(result.unexplained()).isEqualTo(25);
    }

    @Test
    void shouldBreakWhenACaptureHasNoCharge() {
        // given a capture since the baseline of an attempt the provider never accepted
        reserve("ghost", 1, 10, SINCE);
        capture("ghost", 1, 10, SINCE);

        // when the provider spent nothing
        final ProviderReconciliation.Result result = r.reconcile(1000, 1000);

        // then
        assertThat(result.holds()).isFalse();
        assertThat(result.unexplained()).isEqualTo(-10);
    }

    private void accepted(final String requestId, final int attempt, final long offset) {
        r.onSubmission(0, offset, outcome(requestId, attempt, SubmissionStatus.ACCEPTED));
    }

    private static SubmissionOutcome outcome(final String requestId, final int attempt, final SubmissionStatus s) {
        return outcome(requestId, attempt, s, "t-" + requestId);
    }

    private static SubmissionOutcome outcome(final String requestId, final int attempt, final SubmissionStatus s,
                                             final String task) {
        return SubmissionOutcome.newBuilder().setRequestId(requestId).setAttempt(attempt).setStatus(s)
                .setProviderTaskId(s == SubmissionStatus.ACCEPTED ? task : null).setCode(200)
                .setSubmittedAt(AT).build();
    }

    /** A TASK_MISMATCH dead letter as the topology writes it. */
    private void mismatch(final String requestId, final String task, final long offset) {
        r.onDeadLetter(0, offset, DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterRules.taskMismatchId(requestId, task))
                .setKind(DeadLetterKind.TASK_MISMATCH).setReason("result for provider task " + task)
                .setRequestId(requestId).setSourceTopic("separation-results").setFailedAt(AT).build());
    }

    private void reserve(final String requestId, final int attempt, final long credits, final long offset) {
        ledger(requestId, attempt, LedgerEntryKind.RESERVATION, credits, offset);
    }

    private void capture(final String requestId, final int attempt, final long credits, final long offset) {
        ledger(requestId, attempt, LedgerEntryKind.CAPTURE, credits, offset);
    }

    private void ledger(final String requestId, final int attempt, final LedgerEntryKind kind, final long credits,
                        final long offset) {
        r.onLedger(0, offset, new LedgerEntry(kind + "/" + requestId + "/" + attempt, "acct-a", kind, credits,
                requestId, attempt, null, AT));
    }
}
