package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArchiveKeyTest {

    @Test
    void shouldGiveAccountBatchRequestAndStemWhenTheIdsArePlain() {
        // when / then
        assertThat(ArchiveKey.of("label-1", "fall_2026", "req-42", "backing_vocals", "WAV"))
                .isEqualTo("label-1/fall_2026/req-42/backing_vocals.wav");
    }

    @Test
    void shouldGiveTheSameKeyWhenTheSameStemIsArchivedAgain() {
        // when / then
        assertThat(ArchiveKey.of("a", "b", "r", "drums", "mp3")).isEqualTo(ArchiveKey.of("a", "b", "r", "drums", "mp3"));
    }

    @Test
    void shouldEncodeSeparatorsAndDotsWhenAStrangerChoseTheIds() {
        // when
        final String key = ArchiveKey.of("../..", "a/b", "req 1%", ".", "wav");

        // then: four segments below the account, none of them a path step
        assertThat(key).isEqualTo("%2E.%2F../a%2Fb/req%201%25/%2E.wav");
        assertThat(key.split("/")).hasSize(4).noneMatch(s -> s.equals("..") || s.equals(".") || s.isEmpty());
    }

    @Test
    void shouldGiveDistinctSegmentsWhenIdsDiffer() {
        // given: ids that a careless encoding would merge
        final List<String> ids = List.of("a b", "a%20b", "a+b", "a/b", "a%2Fb", "", "_", ".", "..", ".a", "%2Ea",
                "é", "%C3%A9", "e\u0301", "\u0000", "%00", "%unbatched", "%empty");

        // when
        final Set<String> segments = new HashSet<>();
        ids.forEach(id -> segments.add(ArchiveKey.segment(id)));

        // then
        assertThat(segments).hasSize(ids.size()).doesNotContain(ArchiveKey.NO_BATCH);
        assertThat(segments).allMatch(s -> !s.contains("/") && !s.equals(".") && !s.equals("..") && !s.isEmpty());
    }

    @Test
    void shouldMarkTheBatchWhenTheJobHasNone() {
        // when / then
        assertThat(ArchiveKey.of("acct", null, "r", "vocals", "wav")).isEqualTo("acct/%unbatched/r/vocals.wav");
        assertThat(ArchiveKey.of("acct", null, "r", "vocals", "wav")).startsWith(ArchiveKey.batchPrefix("acct", null));
        assertThat(ArchiveKey.of("acct", "_", "r", "vocals", "wav")).doesNotStartWith(ArchiveKey.batchPrefix("acct", null));
    }
}
