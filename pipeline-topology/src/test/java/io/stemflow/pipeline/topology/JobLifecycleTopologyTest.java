package io.stemflow.pipeline.topology;

import io.stemflow.schemas.DeadLetterHeaders;

import static io.stemflow.pipeline.topology.TopologyHarness.request;
import static io.stemflow.pipeline.topology.TopologyHarness.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.StemUrl;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.ResultSource;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobLifecycleTopologyTest {

    private TopologyHarness h = TopologyHarness.withDefaults();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void shouldReserveAndAdmitWhenAValidRequestArrives() {
        // when
        h.submit(request("r1", "acct", SeparationType.SPLIT_STEM));

        // then
        final List<AdmittedJob> admitted = values(h.admitted);
        assertThat(admitted).singleElement().satisfies(a -> {
            assertThat(a.getRequest().getRequestId()).isEqualTo("r1");
            assertThat(a.getReservedCredits()).isEqualTo(50);
        });
        assertThat(values(h.status)).extracting(JobStatus::getState).containsExactly(JobState.REQUESTED, JobState.QUEUED,
                JobState.ADMITTED);
        assertThat(values(h.ledger)).extracting(LedgerEntry::getKind).containsExactly(LedgerEntryKind.RESERVATION);
        assertThat(h.account("acct").reserved()).isEqualTo(50);
    }

    @Test
    void shouldDeadLetterWithTheReasonAndKeepGoingWhenARequestIsInvalid() {
        // given
        final SeparationRequest noAccount = SeparationRequest.newBuilder(
                request("bad-1", "acct", SeparationType.SEPARATE_VOCAL)).setAccountId("").build();
        final SeparationRequest unknownType = request("bad-2", "acct", SeparationType.UNKNOWN);

        // when
        h.submit(noAccount);
        h.submit(unknownType);
        h.requests.pipeInput("not-the-id", request("bad-3", "acct", SeparationType.SPLIT_STEM));
        h.submit(request("good", "acct", SeparationType.SEPARATE_VOCAL));

        // then
        final List<TestRecord<String, DeadLetter>> letters = h.deadLetters.readRecordsToList();
        assertThat(letters).hasSize(3);
        assertThat(letters).allSatisfy(r -> {
            assertThat(r.value().getKind()).isEqualTo(DeadLetterKind.INVALID_REQUEST);
            assertThat(new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo(r.value().getReason());
            assertThat(r.headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET)).isNotNull();
        });
        assertThat(letters.get(0).value().getReason()).contains("accountId");
        assertThat(letters.get(1).value().getReason()).contains("type");
        assertThat(letters.get(2).value().getReason()).contains("record key");
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("good");
        assertThat(h.metrics.total(Event.INVALID_REQUEST)).isEqualTo(3);
    }

    @Test
    void shouldNotReserveTwiceWhenTheSameRequestIsProducedTwice() {
        // when
        h.submit(request("r1", "acct", SeparationType.SPLIT_STEM));
        h.submit(request("r1", "acct", SeparationType.SPLIT_STEM));

        // then
        assertThat(values(h.admitted)).hasSize(1);
        assertThat(values(h.ledger)).hasSize(1);
        assertThat(h.account("acct").reserved()).isEqualTo(50);
        assertThat(h.metrics.total(Event.DUPLICATE_REQUEST)).isEqualTo(1);
    }

    @Test
    void shouldEmitOneEventPerProducedStemAndCaptureWhenTheJobCompletes() {
        // given
        h.submit(request("r1", "acct", SeparationType.SPLIT_STEM));
        final String task = h.accept("r1", 1);

        // when: drums has no URL (empty string), every other stem has one
        h.results.pipeInput("r1", new SeparationResult("r1", task, 200, "done", List.of(
                new StemUrl(Stem.VOCALS, "https://f/v.mp3"), new StemUrl(Stem.BASS, "https://f/b.mp3"),
                new StemUrl(Stem.DRUMS, ""), new StemUrl(Stem.FX, "https://f/fx.mp3")), null,
                ResultSource.CALLBACK, TopologyHarness.T0));

        // then
        final List<StemReady> stems = values(h.stems);
        assertThat(stems).extracting(StemReady::getStem).containsExactly(Stem.VOCALS, Stem.BASS, Stem.FX);
        assertThat(stems).allSatisfy(s -> {
            assertThat(s.getRequestId()).isEqualTo("r1");
            assertThat(s.getAccountId()).isEqualTo("acct");
            assertThat(s.getBatchId()).isEqualTo("batch-1");
            assertThat(s.getProviderTaskId()).isEqualTo(task);
            assertThat(s.getLabels()).containsEntry("isrc", "GB-r1");
            assertThat(s.getExpiresAt()).isEqualTo(s.getCompletedAt().plus(Duration.ofDays(14)));
        });
        assertThat(h.state("r1")).isEqualTo(JobState.COMPLETED);
        assertThat(values(h.ledger)).extracting(LedgerEntry::getKind)
                .containsExactly(LedgerEntryKind.RESERVATION, LedgerEntryKind.CAPTURE);
        final AccountState account = h.account("acct");
        assertThat(account.spent()).isEqualTo(50);
        assertThat(account.reserved()).isZero();
    }

    @Test
    void shouldDebitOnceWhenTheCallbackArrivesTwice() {
        // given
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        final String task = h.accept("r1", 1);
        h.succeed("r1", task, Stem.VOCALS, Stem.INSTRUMENTAL);
        h.stems.readRecordsToList();
        h.status.readRecordsToList();

        // when
        h.succeed("r1", task, Stem.VOCALS, Stem.INSTRUMENTAL);

        // then
        assertThat(values(h.stems)).isEmpty();
        assertThat(values(h.ledger)).filteredOn(e -> e.getKind() == LedgerEntryKind.CAPTURE).hasSize(1);
        assertThat(h.account("acct").spent()).isEqualTo(10);
        assertThat(values(h.status)).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(JobState.COMPLETED);
            assertThat(s.getPreviousState()).isEqualTo(JobState.COMPLETED);
            assertThat(s.getReason()).contains("duplicate");
        });
        assertThat(h.metrics.total(Event.DUPLICATE_RESULT)).isEqualTo(1);
    }

    @Test
    void shouldKeepTheJobsRealHistoryWhenADuplicateCallbackIsRepeatedMoreTimesThanTheHistoryHolds() {
        // given a completed job (history limit 100 by default)
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        final String task = h.accept("r1", 1);
        h.succeed("r1", task, Stem.VOCALS, Stem.INSTRUMENTAL);
        final List<StatusEntry> real = h.job("r1").history();

        // when the probe: the same callback 105 times more
        for (int i = 0; i < 105; i++) {
            h.succeed("r1", task, Stem.VOCALS, Stem.INSTRUMENTAL);
        }

        // then every real step is still there, and the duplicates are one counted entry
        final List<StatusEntry> history = h.job("r1").history();
        assertThat(history).hasSize(real.size() + 1);
        assertThat(history.subList(0, real.size())).isEqualTo(real);
        assertThat(history.get(real.size())).satisfies(note -> {
            assertThat(note.isNote()).isTrue();
            assertThat(note.reason()).contains("duplicate");
            assertThat(note.times()).isEqualTo(105);
            assertThat(note.lastAt()).isGreaterThanOrEqualTo(note.at());
        });
        assertThat(history).extracting(StatusEntry::state).contains(JobState.REQUESTED, JobState.COMPLETED);
        assertThat(h.account("acct").spent()).isEqualTo(10);
    }

    @Test
    void shouldNotApplyTheResultWhenItsProviderTaskIsNotTheSubmittedOne() {
        // given
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        final String task = h.accept("r1", 1);

        // when
        h.succeed("r1", "forged-task", Stem.VOCALS);

        // then
        assertThat(values(h.deadLetters)).singleElement().satisfies(d -> {
            assertThat(d.getKind()).isEqualTo(DeadLetterKind.TASK_MISMATCH);
            assertThat(d.getReason()).contains("forged-task").contains(task);
        });
        assertThat(h.state("r1")).isEqualTo(JobState.SUBMITTED);
        assertThat(values(h.stems)).isEmpty();

        // and the genuine result still completes the job
        h.succeed("r1", task, Stem.VOCALS, Stem.INSTRUMENTAL);
        assertThat(h.state("r1")).isEqualTo(JobState.COMPLETED);
        assertThat(values(h.stems)).hasSize(2);
    }

    @Test
    void shouldFailReleaseAndDeadLetterWhenTheProviderRejectsTheJob() {
        // given
        h.submit(request("r1", "acct", SeparationType.SPLIT_STEM));

        // when
        h.reject("r1", 1, 413, "Input too long");

        // then
        assertThat(h.state("r1")).isEqualTo(JobState.FAILED);
        final TestRecord<String, DeadLetter> letter = h.deadLetters.readRecord();
        assertThat(letter.value().getKind()).isEqualTo(DeadLetterKind.PROVIDER_REJECTED);
        assertThat(letter.value().getCode()).isEqualTo(413);
        assertThat(letter.value().getRequest().getRequestId()).isEqualTo("r1");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.CODE).value(), StandardCharsets.UTF_8)).isEqualTo("413");
        assertThat(values(h.ledger)).extracting(LedgerEntry::getKind)
                .containsExactly(LedgerEntryKind.RESERVATION, LedgerEntryKind.RELEASE);
        assertThat(h.account("acct").reserved()).isZero();
        assertThat(h.account("acct").spent()).isZero();
    }

    @Test
    void shouldFailAndReleaseWhenTheResultIsAFailure() {
        // given
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        final String task = h.accept("r1", 1);

        // when
        h.failResult("r1", task, 451);

        // then
        assertThat(h.state("r1")).isEqualTo(JobState.FAILED);
        assertThat(values(h.deadLetters)).singleElement().satisfies(d -> {
            assertThat(d.getKind()).isEqualTo(DeadLetterKind.JOB_FAILED);
            assertThat(d.getCode()).isEqualTo(451);
        });
        assertThat(h.account("acct").spent()).isZero();
        assertThat(values(h.stems)).isEmpty();
    }

    @Test
    void shouldApplyAnEarlyCallbackWhenTheSubmissionOutcomeArrivesAfterIt() {
        // given the callback overtakes the submitter's outcome
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        h.succeed("r1", "ptask-r1-1-1", Stem.VOCALS, Stem.INSTRUMENTAL);
        assertThat(h.state("r1")).isEqualTo(JobState.ADMITTED);

        // when
        final String task = h.accept("r1", 1);

        // then
        assertThat(task).isEqualTo("ptask-r1-1-1");
        assertThat(h.state("r1")).isEqualTo(JobState.COMPLETED);
        assertThat(values(h.stems)).hasSize(2);
    }

    @Test
    void shouldAskTheReconcilerThenTimeOutWhenNoResultArrives() {
        // given
        h.close();
        h = new TopologyHarness(TopologyConfig.defaults()
                .withTimeouts(Duration.ofMinutes(1), Duration.ofMinutes(1), 2)
                .withPunctuateInterval(Duration.ofSeconds(1)));
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        final String task = h.accept("r1", 1);

        // when / then: one reconciliation per interval, then TIMED_OUT
        h.advance(Duration.ofSeconds(30));
        assertThat(values(h.reconcile)).isEmpty();
        h.advance(Duration.ofSeconds(31));
        assertThat(values(h.reconcile)).singleElement().satisfies(r -> {
            assertThat(r.getProviderTaskId()).isEqualTo(task);
            assertThat(r.getReconciliation()).isEqualTo(1);
        });
        assertThat(h.state("r1")).isEqualTo(JobState.RECONCILING);
        h.advance(Duration.ofSeconds(61));
        assertThat(values(h.reconcile)).extracting(ReconcileRequest::getReconciliation).containsExactly(2);
        h.advance(Duration.ofSeconds(61));
        assertThat(values(h.reconcile)).isEmpty();
        assertThat(h.state("r1")).isEqualTo(JobState.TIMED_OUT);
        assertThat(values(h.deadLetters)).extracting(DeadLetter::getKind).containsExactly(DeadLetterKind.TIMED_OUT);
        assertThat(h.account("acct").reserved()).isZero();
    }

    @Test
    void shouldCompleteWhenAPolledResultArrivesWhileReconciling() {
        // given
        h.close();
        h = new TopologyHarness(TopologyConfig.defaults()
                .withTimeouts(Duration.ofMinutes(1), Duration.ofMinutes(1), 3)
                .withPunctuateInterval(Duration.ofSeconds(1)));
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        final String task = h.accept("r1", 1);
        h.advance(Duration.ofSeconds(61));
        assertThat(h.state("r1")).isEqualTo(JobState.RECONCILING);

        // when
        h.results.pipeInput("r1", new SeparationResult("r1", task, 200, "success",
                List.of(new StemUrl(Stem.VOCALS, "https://f/v"), new StemUrl(Stem.INSTRUMENTAL, "https://f/i")),
                null, ResultSource.POLL, TopologyHarness.T0));
        h.advance(Duration.ofMinutes(5));

        // then
        assertThat(h.state("r1")).isEqualTo(JobState.COMPLETED);
        assertThat(values(h.stems)).hasSize(2);
        assertThat(values(h.reconcile)).hasSize(1);
    }

    @Test
    void shouldStartANewAttemptWhenAFailedJobIsReplayed() {
        // given
        h.submit(request("r1", "acct", SeparationType.SPLIT_STEM));
        final String first = h.accept("r1", 1);
        h.failResult("r1", first, 500);
        h.admitted.readRecordsToList();
        h.status.readRecordsToList();

        // when
        h.submit(request("r1", "acct", SeparationType.SPLIT_STEM, 2));
        final String second = h.accept("r1", 2);
        h.failResult("r1", first, 500); // a late copy of the first attempt's failure
        h.succeed("r1", second, Stem.VOCALS);

        // then
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getAttempt()).containsExactly(2);
        assertThat(h.state("r1")).isEqualTo(JobState.COMPLETED);
        assertThat(h.job("r1").history()).extracting(StatusEntry::state)
                .containsSubsequence(JobState.FAILED, JobState.REPLAYED, JobState.REQUESTED, JobState.ADMITTED,
                        JobState.SUBMITTED, JobState.COMPLETED);
        assertThat(values(h.ledger)).extracting(LedgerEntry::getKind).containsExactly(
                LedgerEntryKind.RESERVATION, LedgerEntryKind.RELEASE, LedgerEntryKind.RESERVATION, LedgerEntryKind.CAPTURE);
        assertThat(h.account("acct").spent()).isEqualTo(50);
    }

    @Test
    void shouldRefuseWithAStatusEventWhenACompletedJobIsReplayed() {
        // given
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        h.succeed("r1", h.accept("r1", 1), Stem.VOCALS);
        h.admitted.readRecordsToList();
        h.status.readRecordsToList();

        // when
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL, 2));

        // then
        assertThat(values(h.admitted)).isEmpty();
        assertThat(values(h.status)).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(JobState.COMPLETED);
            assertThat(s.getReason()).contains("replay refused");
        });
        assertThat(h.account("acct").spent()).isEqualTo(10);
    }
}
