package io.stemflow.pipeline.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.StemArchived;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the dashboard's feed keeps of the topics it reads, and how much of it. */
class FeedStateTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private final FeedState state = new FeedState();

    private static DeadLetter letter(final String requestId, final String batch, final DeadLetterKind kind,
                                     final Integer code, final Instant at) {
        return DeadLetter.newBuilder().setDeadLetterId(requestId + "/1/" + kind).setKind(kind)
                .setReason("provider said no").setCode(code).setRequestId(requestId).setBatchId(batch)
                .setSourceTopic("separation-submissions").setFailedAt(at).build();
    }

    private static JobStatus status(final String requestId, final String batch, final JobState state,
                                    final Instant at) {
        return JobStatus.newBuilder().setRequestId(requestId).setAccountId("a").setBatchId(batch).setAttempt(1)
                .setState(state).setAt(at).build();
    }

    @Test
    void shouldCountDeadLettersByKindAndKeepTheBatchsLatestFailuresWhenTheyArrive() {
        // given more failures than are kept
        for (int i = 0; i < FeedState.FAILURES_KEPT + 10; i++) {
            state.deadLetter(letter("r" + i, "fall", DeadLetterKind.PROVIDER_REJECTED, i % 2 == 0 ? 4001 : null,
                    T0.plusSeconds(i)));
        }
        state.deadLetter(letter("x", null, DeadLetterKind.CORRUPT_RECORD, null, T0));

        // then every one is counted, the latest kept newest first, by code
        assertThat(state.deadLetters().total()).isEqualTo(FeedState.FAILURES_KEPT + 11);
        assertThat(state.deadLetters().byKind()).containsEntry("PROVIDER_REJECTED", (long) FeedState.FAILURES_KEPT + 10)
                .containsEntry("CORRUPT_RECORD", 1L);
        final FeedState.Failures fall = state.failuresOf("fall");
        assertThat(fall.total()).isEqualTo(FeedState.FAILURES_KEPT + 10);
        assertThat(fall.byCode()).containsEntry("4001", 30L).containsEntry("none", 30L);
        assertThat(fall.latest()).hasSize(FeedState.FAILURES_KEPT);
        assertThat(fall.latest().get(0).requestId()).isEqualTo("r" + (FeedState.FAILURES_KEPT + 9));
        assertThat(fall.latest().get(0).reason()).isEqualTo("provider said no");
        assertThat(state.failuresOf("other").total()).isZero();
    }

    @Test
    void shouldMeasureTheBatchsPaceFromTheEndsOfItsJobsWhenTheyEndedLately() {
        // given 30 jobs ended over the last three minutes, and statuses that are not ends
        for (int i = 0; i < 30; i++) {
            state.status(status("r" + i, "fall", JobState.COMPLETED, T0.plusSeconds(i * 6)));
            state.status(status("r" + i, "fall", JobState.SUBMITTED, T0.plusSeconds(i * 6)));
        }

        // then the pace is 30 jobs over the three minutes since the first of them
        final FeedState.Pace pace = state.paceOf("fall", T0.plus(Duration.ofMinutes(3))).orElseThrow();
        assertThat(pace.ended()).isEqualTo(30);
        assertThat(pace.over()).isEqualTo(Duration.ofMinutes(3));
        assertThat(pace.perMinute()).isEqualTo(10.0);
        // and an hour later nothing ended lately: no pace, no made-up ETA
        assertThat(state.paceOf("fall", T0.plus(Duration.ofHours(1)))).isEmpty();
        assertThat(state.paceOf("never", T0)).isEmpty();
    }

    @Test
    void shouldKeepGrantsApartFromCapturesWhenAnAccountSpendsALot() {
        state.ledger(LedgerEntry.newBuilder().setEntryId("g").setAccountId("a").setKind(LedgerEntryKind.GRANT)
                .setCredits(10_000).setReason("budget").setAt(T0).build());
        for (int i = 0; i < FeedState.LEDGER_KEPT + 50; i++) {
            state.ledger(LedgerEntry.newBuilder().setEntryId("c" + i).setAccountId("a")
                    .setKind(LedgerEntryKind.CAPTURE).setCredits(-10).setRequestId("r" + i)
                    .setAt(T0.plusSeconds(i + 1)).build());
        }
        assertThat(state.historyOf("a")).hasSize(FeedState.LEDGER_KEPT + 1);
        assertThat(state.historyOf("a").get(state.historyOf("a").size() - 1).kind()).isEqualTo("GRANT");
        assertThat(state.historyOf("a").get(0).requestId()).isEqualTo("r" + (FeedState.LEDGER_KEPT + 49));
        assertThat(state.historyOf("b")).isEmpty();
    }

    @Test
    void shouldForgetTheOldestJobsArchivedCopiesWhenMoreJobsThanKeptWereArchived() {
        for (int i = 0; i <= FeedState.ARCHIVED_JOBS_KEPT; i++) {
            state.archived(StemArchived.newBuilder().setRequestId("r" + i).setAccountId("a").setBatchId("b")
                    .setType(io.stemflow.avro.SeparationType.SEPARATE_VOCAL).setAttempt(1).setProviderTaskId("t")
                    .setStem(io.stemflow.avro.Stem.VOCALS).setLocation("file:/archive/r" + i + "/vocals.mp3")
                    .setKey("a/b/r" + i + "/vocals.mp3").setSize(1).setSha256("00").setContentType("audio/mpeg")
                    .setArchivedAt(T0).build());
        }
        assertThat(state.archivedOf("r0")).isEmpty();
        assertThat(state.archivedOf("r1")).isEqualTo(Map.of("vocals", "file:/archive/r1/vocals.mp3"));
    }
}
