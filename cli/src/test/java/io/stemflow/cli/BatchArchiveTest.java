package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link BatchArchive}'s fold without a broker: what counts as archived, failed and pending, and for whom. */
class BatchArchiveTest {

    @Test
    void shouldCountAStemOnceWhenItIsAnnouncedTwiceOrArchivedAfterItFailed() {
        // given
        final BatchArchive archive = new BatchArchive("b1", null);

        // when
        archive.onStem(ready("acct", "b1", "r1", Stem.VOCALS));
        archive.onStem(ready("acct", "b1", "r1", Stem.VOCALS));
        archive.onDeadLetter(failed("acct", "b1", "r1", "vocals"));
        archive.onArchived(archived("acct", "b1", "r1", Stem.VOCALS, 10));
        archive.onArchived(archived("acct", "b1", "r1", Stem.VOCALS, 99));

        // then
        final BatchArchive.Summary s = archive.summary();
        assertThat(s.stems()).isEqualTo(1);
        assertThat(s.archived()).isEqualTo(1);
        assertThat(s.failed()).isZero();
        assertThat(s.pending()).isZero();
        assertThat(s.bytesArchived()).isEqualTo(10);
    }

    @Test
    void shouldCountStemsArchivedOrFailedWhenTheirStemEventsAreNoLongerOnTheTopic() {
        // given
        final BatchArchive archive = new BatchArchive("b1", "acct");

        // when
        archive.onArchived(archived("acct", "b1", "r1", Stem.VOCALS, 5));
        archive.onDeadLetter(failed("acct", "b1", "r2", "drums"));
        archive.onStem(ready("acct", "b1", "r3", Stem.BASS));

        // then archived + failed + pending = stems
        final BatchArchive.Summary s = archive.summary();
        assertThat(s.stems()).isEqualTo(3);
        assertThat(s.archived() + s.failed() + s.pending()).isEqualTo(3);
        assertThat(s.failures()).containsExactly(new BatchArchive.Failure("r2", "drums", "stem drums not archived"));
    }

    @Test
    void shouldLeaveOutOtherBatchesOtherAccountsAndOtherDeadLettersWhenFolding() {
        // given
        final BatchArchive archive = new BatchArchive("b1", "acct");

        // when
        archive.onStem(ready("acct", "b2", "r1", Stem.VOCALS));
        archive.onStem(ready("other", "b1", "r2", Stem.VOCALS));
        archive.onArchived(archived("other", "b1", "r2", Stem.VOCALS, 7));
        archive.onDeadLetter(failed("acct", "b1", "r3", "vocals", DeadLetterKind.PROVIDER_REJECTED, "r3/1/REJECTED"));

        // then
        assertThat(archive.summary().nothingSeen()).isTrue();
        assertThat(archive.summary().accounts()).isEmpty();
    }

    @Test
    void shouldNameTheStemOfADeadLetterWhenItsIdHasTheAnnouncersShape() {
        // given
        final DeadLetter plain = failed("acct", "b1", "r/1", "backing_vocals");
        final DeadLetter odd = failed("acct", "b1", "r/1", "backing_vocals", DeadLetterKind.ARCHIVE_FAILED,
                "something-else");

        // when / then
        assertThat(BatchArchive.stemOf(plain)).isEqualTo("backing_vocals");
        assertThat(BatchArchive.stemOf(odd)).isEqualTo("unknown (something-else)");
    }

    private static StemReady ready(final String account, final String batch, final String requestId, final Stem stem) {
        return StemReady.newBuilder().setRequestId(requestId).setAccountId(account).setBatchId(batch)
                .setTaskId("t").setAudioId("a").setType(SeparationType.SPLIT_STEM).setProviderTaskId("p")
                .setStem(stem).setUrl("https://provider.test/x.wav").setExpiresAt(Instant.EPOCH)
                .setCompletedAt(Instant.EPOCH).build();
    }

    private static StemArchived archived(final String account, final String batch, final String requestId,
                                         final Stem stem, final long size) {
        return StemArchived.newBuilder().setRequestId(requestId).setAccountId(account).setBatchId(batch)
                .setType(SeparationType.SPLIT_STEM).setProviderTaskId("p").setStem(stem)
                .setLocation("file:/archive/x.wav").setKey("k").setSha256("0".repeat(64)).setSize(size)
                .setContentType("audio/wav").setArchivedAt(Instant.EPOCH).build();
    }

    private static DeadLetter failed(final String account, final String batch, final String requestId,
                                     final String stem) {
        return failed(account, batch, requestId, stem, DeadLetterKind.ARCHIVE_FAILED,
                requestId + "/1/" + stem + "/ARCHIVE_FAILED");
    }

    private static DeadLetter failed(final String account, final String batch, final String requestId,
                                     final String stem, final DeadLetterKind kind, final String id) {
        return DeadLetter.newBuilder().setDeadLetterId(id).setKind(kind).setReason("stem " + stem + " not archived")
                .setRequestId(requestId).setAccountId(account).setBatchId(batch).setAttempt(1)
                .setSourceTopic("separation-stems").setFailedAt(Instant.EPOCH).build();
    }
}
