package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.cli.DeploymentAudit.Invariant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The audit's checks on records fed in memory: each invariant holding, and broken. */
final class DeploymentAuditTest {

    private static final String ACCOUNT = "acct-a";
    private static final Instant AT = Instant.parse("2026-12-06T12:00:00Z");

    /**
     * A consistent history: a grant of 100; job done-1 completes (10 credits); job retry-1 fails, is replayed and
     * completes as attempt 2 (10 credits); job late-1 times out. Balance: granted 100, available 80, spent 20.
     */
    private final List<Consumer<DeploymentAudit>> records = new ArrayList<>();

    DeploymentAuditTest() {
        grant("g1", 100);
        ledger("grant/g1", LedgerEntryKind.GRANT, 100, null, null);
        completed("done-1", 1);
        failed("retry-1", 1, JobState.FAILED, DeadLetterKind.JOB_FAILED);
        status("retry-1", 1, JobState.REPLAYED, JobState.FAILED);
        completed("retry-1", 2);
        failed("late-1", 1, JobState.TIMED_OUT, DeadLetterKind.TIMED_OUT);
        records.add(a -> a.onDeadLetter(deadLetter("x/CORRUPT", DeadLetterKind.CORRUPT_RECORD, null, null)));
        balance(100, 80, 0, 20);
    }

    @Test
    void shouldHoldEveryInvariantWhenTheHistoryIsConsistent() {
        // when
        final DeploymentAudit audit = run(10);

        // then
        assertThat(audit.holds()).isTrue();
        assertThat(audit.jobs()).isEqualTo(3);
        assertThat(audit.attempts()).isEqualTo(4);
        assertThat(audit.accounts()).isEqualTo(1);
        assertThat(audit.otherDeadLetters()).containsEntry(DeadLetterKind.CORRUPT_RECORD, 1L);
    }

    @Test
    void shouldNotCountANoteAsASecondTerminalStateWhenADuplicateResultIsIgnored() {
        // given a status whose state equals its previous state
        status("done-1", 1, JobState.COMPLETED, JobState.COMPLETED);

        // then
        assertThat(run(10).holds()).isTrue();
    }

    @Test
    void shouldNameTheJobWhenAnAttemptEndsTwice() {
        // given
        status("done-1", 1, JobState.FAILED, JobState.COMPLETED);

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.TERMINAL, "job done-1 attempt 1 (account acct-a) ended twice: COMPLETED, then FAILED");
    }

    @Test
    void shouldNameTheStemWhenAStemEventIsWrittenTwice() {
        // given
        stem("done-1", 1, Stem.VOCALS);

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.STEMS, "stem VOCALS of job done-1 attempt 1 (account acct-a) was written more than once");
        assertThat(audit.findings(Invariant.STEMS).count()).isEqualTo(1);
    }

    @Test
    void shouldReportStemsOfAnAttemptThatFailed() {
        // given
        stem("late-1", 1, Stem.VOCALS);

        // then
        assertBroken(run(10), Invariant.STEMS, "job late-1 attempt 1 (account acct-a) has stems but ended TIMED_OUT");
    }

    @Test
    void shouldNameTheJobWhenACaptureIsDuplicated() {
        // given
        ledger("done-1/1/CAPTURE", LedgerEntryKind.CAPTURE, 10, "done-1", 1);

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.CAPTURES, "job done-1 attempt 1 (account acct-a) COMPLETED and was captured 2 times");
        assertBroken(audit, Invariant.BALANCES, "account acct-a: credit-balances says granted 100, available 80, "
                + "reserved 0, spent 20; the ledger says granted 100, available 80, reserved -10, spent 30");
    }

    @Test
    void shouldReportACompletedAttemptThatWasNeverCaptured() {
        // given a job completed, reserved, but without its capture (and a balance that agrees with that ledger)
        records.removeIf(r -> true);
        ledger("grant/g1", LedgerEntryKind.GRANT, 100, null, null);
        grant("g1", 100);
        status("lost-1", 1, JobState.REQUESTED, null);
        status("lost-1", 1, JobState.COMPLETED, JobState.SUBMITTED);
        ledger("lost-1/1/RESERVATION", LedgerEntryKind.RESERVATION, 10, "lost-1", 1);
        balance(100, 90, 10, 0);

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.CAPTURES, "job lost-1 attempt 1 (account acct-a) COMPLETED but its credits were never captured");
        assertBroken(audit, Invariant.RESERVATIONS, "job lost-1 attempt 1 (account acct-a) ended COMPLETED but its 10 "
                + "reserved credits were neither captured nor released");
        assertThat(audit.findings(Invariant.BALANCES).holds()).isTrue();
    }

    @Test
    void shouldReportACaptureAtAnotherCostThanTheMode() {
        // given a split_stem job (50 credits) whose statuses and ledger say 10
        records.removeIf(r -> true);
        completed("cheap-1", 1, SeparationType.SPLIT_STEM, 10);
        balance(0, -10, 0, 10);

        // then
        assertBroken(run(10), Invariant.CAPTURES, "job cheap-1 attempt 1 (account acct-a) was captured 10 credits, its mode SPLIT_STEM costs 50");
    }

    @Test
    void shouldReportACaptureWithoutACompletedAttempt() {
        // given a capture of the failed attempt of retry-1
        ledger("retry-1/1/CAPTURE", LedgerEntryKind.CAPTURE, 10, "retry-1", 1);

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.CAPTURES, "job retry-1 attempt 1 (account acct-a) was captured 10 credits but ended FAILED");
        assertBroken(audit, Invariant.CAPTURES, "job retry-1 (account acct-a) was captured 2 times across its attempts");
    }

    @Test
    void shouldReportAReservationLeftOnAFailedJob() {
        // given a failed job whose reservation was never released (and a balance that agrees with that ledger)
        records.removeIf(r -> true);
        status("stuck-1", 1, JobState.REQUESTED, null);
        status("stuck-1", 1, JobState.FAILED, JobState.SUBMITTED);
        records.add(a -> a.onDeadLetter(deadLetter("stuck-1/1/JOB_FAILED", DeadLetterKind.JOB_FAILED, "stuck-1", 1)));
        ledger("stuck-1/1/RESERVATION", LedgerEntryKind.RESERVATION, 10, "stuck-1", 1);
        balance(0, -10, 10, 0);

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.RESERVATIONS, "job stuck-1 attempt 1 (account acct-a) ended FAILED but its 10 "
                + "reserved credits were neither captured nor released");
        assertThat(audit.findings(Invariant.CAPTURES).holds()).isTrue();
        assertThat(audit.findings(Invariant.DEAD_LETTERS).holds()).isTrue();
    }

    @Test
    void shouldReportABalanceThatIsNotTheLedgersFoldAndAGrantMissingFromTheLedger() {
        // given
        balance(100, 90, 0, 10);
        grant("g2", 40);

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.BALANCES, "account acct-a: credit-balances says granted 100, available 90, "
                + "reserved 0, spent 10; the ledger says granted 100, available 80, reserved 0, spent 20");
        assertBroken(audit, Invariant.BALANCES, "grant g2 of 40 credits to account acct-a is on credit-grants but not in the ledger");
    }

    @Test
    void shouldIgnoreAGrantTheTopologyRefusesWhenItIsNotInTheLedger() {
        // given a grant whose key is not its account (dead-lettered by the topology, never applied)
        records.add(a -> a.onGrant("someone-else", CreditGrant.newBuilder().setGrantId("g3").setAccountId(ACCOUNT)
                .setCredits(5).setGrantedAt(AT).build()));

        // then
        assertThat(run(10).holds()).isTrue();
    }

    @Test
    void shouldReportAFailedAttemptWithoutItsDeadLetter() {
        // given
        records.removeIf(r -> true);
        status("quiet-1", 1, JobState.REQUESTED, null);
        status("quiet-1", 1, JobState.FAILED, JobState.ADMITTED);
        records.add(a -> a.onDeadLetter(deadLetter("quiet-1/x/TASK_MISMATCH", DeadLetterKind.TASK_MISMATCH,
                "quiet-1", null)));

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertBroken(audit, Invariant.DEAD_LETTERS, "job quiet-1 attempt 1 (account acct-a) ended FAILED without a dead letter");
    }

    @Test
    void shouldReportADeadLetterOfAnotherKindThanTheEnd() {
        // given
        records.removeIf(r -> true);
        status("odd-1", 1, JobState.REQUESTED, null);
        status("odd-1", 1, JobState.TIMED_OUT, JobState.RECONCILING);
        records.add(a -> a.onDeadLetter(deadLetter("odd-1/1/JOB_FAILED", DeadLetterKind.JOB_FAILED, "odd-1", 1)));

        // then
        assertBroken(run(10), Invariant.DEAD_LETTERS, "job odd-1 attempt 1 (account acct-a) ended TIMED_OUT but its dead letter is for FAILED");
    }

    @Test
    void shouldCountEveryCaseButListAtMostTheMaximumWhenManyAreBroken() {
        // given the same stem written fifteen more times
        for (int i = 0; i < 15; i++) {
            stem("done-1", 1, Stem.VOCALS);
        }

        // when
        final DeploymentAudit audit = run(3);

        // then
        assertThat(audit.findings(Invariant.STEMS).count()).isEqualTo(15);
        assertThat(audit.findings(Invariant.STEMS).examples()).hasSize(3);
    }

    @Test
    void shouldCountAnUndecodableRecordWithoutBreakingAnInvariant() {
        // given
        records.add(a -> a.onUndecodable("credit-ledger", 1, 42, "MalformedRecordException: not Avro"));

        // when
        final DeploymentAudit audit = run(10);

        // then
        assertThat(audit.holds()).isTrue();
        assertThat(audit.undecodable().count()).isEqualTo(1);
        assertThat(audit.undecodable().examples()).containsExactly(
                "credit-ledger partition 1 offset 42: MalformedRecordException: not Avro");
    }

    @Test
    void shouldFindTheSameBrokenCasesWhenTheJobsAreAuditedInPasses() {
        // given the standard history with every kind of breakage on top: a capture duplicated, a stem written twice,
        // a failed attempt without its dead letter, an attempt that ended twice, and a balance off the ledger
        for (int i = 0; i < 40; i++) {
            completed("many-" + i, 1);
        }
        ledger("done-1/1/CAPTURE", LedgerEntryKind.CAPTURE, 10, "done-1", 1);
        stem("many-7", 1, Stem.VOCALS);
        status("quiet-1", 1, JobState.REQUESTED, null);
        status("quiet-1", 1, JobState.FAILED, JobState.ADMITTED);
        status("many-9", 1, JobState.FAILED, JobState.COMPLETED);
        balance(100, 90, 0, 10);

        // when: one pass, and four passes over the same records
        final DeploymentAudit whole = run(100);
        final DeploymentAudit inPasses = new DeploymentAudit(100);
        for (int pass = 0; pass < 4; pass++) {
            inPasses.beginPass(new DeploymentAudit.Slice(pass, 4));
            records.forEach(r -> r.accept(inPasses));
        }
        inPasses.finish();

        // then
        assertThat(whole.holds()).isFalse();
        for (final Invariant invariant : Invariant.values()) {
            assertThat(inPasses.findings(invariant).count()).as(invariant.title())
                    .isEqualTo(whole.findings(invariant).count());
            assertThat(inPasses.findings(invariant).examples()).as(invariant.title())
                    .containsExactlyInAnyOrderElementsOf(whole.findings(invariant).examples());
        }
        assertThat(inPasses.jobs()).isEqualTo(whole.jobs());
        assertThat(inPasses.attempts()).isEqualTo(whole.attempts());
        assertThat(inPasses.accounts()).isEqualTo(whole.accounts());
        assertThat(whole.findings(Invariant.STEMS).count()).isEqualTo(1);
        assertThat(whole.findings(Invariant.TERMINAL).count()).isEqualTo(1);
        assertThat(whole.findings(Invariant.DEAD_LETTERS).count()).isEqualTo(1);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private DeploymentAudit run(final int maxExamples) {
        final DeploymentAudit audit = new DeploymentAudit(maxExamples);
        records.forEach(r -> r.accept(audit));
        audit.finish();
        return audit;
    }

    private static void assertBroken(final DeploymentAudit audit, final Invariant invariant, final String example) {
        assertThat(audit.holds()).isFalse();
        assertThat(audit.findings(invariant).examples()).as(invariant.title()).anyMatch(e -> e.startsWith(example));
    }

    private void completed(final String requestId, final int attempt) {
        completed(requestId, attempt, SeparationType.SEPARATE_VOCAL, 10);
    }

    private void completed(final String requestId, final int attempt, final SeparationType type, final long credits) {
        status(requestId, attempt, JobState.REQUESTED, attempt > 1 ? JobState.REPLAYED : null, credits);
        status(requestId, attempt, JobState.SUBMITTED, JobState.ADMITTED, credits);
        status(requestId, attempt, JobState.COMPLETED, JobState.SUBMITTED, credits);
        ledger(requestId + "/" + attempt + "/RESERVATION", LedgerEntryKind.RESERVATION, credits, requestId, attempt);
        ledger(requestId + "/" + attempt + "/CAPTURE", LedgerEntryKind.CAPTURE, credits, requestId, attempt);
        records.add(a -> a.onStem(stemReady(requestId, attempt, Stem.VOCALS, type)));
        records.add(a -> a.onStem(stemReady(requestId, attempt, Stem.INSTRUMENTAL, type)));
    }

    private void failed(final String requestId, final int attempt, final JobState end, final DeadLetterKind kind) {
        status(requestId, attempt, JobState.REQUESTED, null);
        status(requestId, attempt, end, JobState.SUBMITTED);
        ledger(requestId + "/" + attempt + "/RESERVATION", LedgerEntryKind.RESERVATION, 10, requestId, attempt);
        ledger(requestId + "/" + attempt + "/RELEASE", LedgerEntryKind.RELEASE, 10, requestId, attempt);
        records.add(a -> a.onDeadLetter(deadLetter(requestId + "/" + attempt + "/" + kind, kind, requestId, attempt)));
    }

    private void status(final String requestId, final int attempt, final JobState state, final JobState previous) {
        status(requestId, attempt, state, previous, 10);
    }

    private void status(final String requestId, final int attempt, final JobState state, final JobState previous,
                        final long credits) {
        final JobStatus s = JobStatus.newBuilder().setRequestId(requestId).setAccountId(ACCOUNT).setAttempt(attempt)
                .setState(state).setPreviousState(previous).setAt(AT).setCredits(credits).build();
        records.add(a -> a.onStatus(s));
    }

    private void stem(final String requestId, final int attempt, final Stem stem) {
        records.add(a -> a.onStem(stemReady(requestId, attempt, stem, SeparationType.SEPARATE_VOCAL)));
    }

    private void ledger(final String entryId, final LedgerEntryKind kind, final long credits, final String requestId,
                        final Integer attempt) {
        final LedgerEntry e = new LedgerEntry(entryId, ACCOUNT, kind, credits, requestId, attempt, null, AT);
        records.add(a -> a.onLedger(e));
    }

    private void grant(final String grantId, final long credits) {
        final CreditGrant g = CreditGrant.newBuilder().setGrantId(grantId).setAccountId(ACCOUNT).setCredits(credits)
                .setGrantedAt(AT).build();
        records.add(a -> a.onGrant(ACCOUNT, g));
    }

    private void balance(final long granted, final long available, final long reserved, final long spent) {
        final CreditBalance b = new CreditBalance(ACCOUNT, granted, available, reserved, spent, AT);
        records.add(a -> a.onBalance(ACCOUNT, b));
    }

    static StemReady stemReady(final String requestId, final int attempt, final Stem stem, final SeparationType type) {
        return StemReady.newBuilder().setRequestId(requestId).setAccountId(ACCOUNT).setTaskId("t-" + requestId)
                .setAudioId("a-" + requestId).setType(type).setAttempt(attempt).setProviderTaskId("p-" + requestId)
                .setStem(stem).setUrl("https://example.test/" + requestId + "/" + stem).setExpiresAt(AT)
                .setCompletedAt(AT).build();
    }

    private static DeadLetter deadLetter(final String id, final DeadLetterKind kind, final String requestId,
                                         final Integer attempt) {
        return DeadLetter.newBuilder().setDeadLetterId(id).setKind(kind).setReason("test").setRequestId(requestId)
                .setAccountId(requestId == null ? null : ACCOUNT).setAttempt(attempt).setSourceTopic("test")
                .setFailedAt(AT).build();
    }
}
