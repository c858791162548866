package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestFilesTest {

    private static ManifestEntry archived(final String requestId, final String stem) {
        return new ManifestEntry(requestId, "audio-" + requestId, "Track", stem, ManifestEntry.Status.ARCHIVED,
                "a/b/" + requestId + "/" + stem + ".wav", "file:///archive/a/b/" + requestId + "/" + stem + ".wav",
                "ab".repeat(32), 100, "audio/wav", null);
    }

    @Test
    void shouldGiveTheSameBytesInTheSameOrderWhenTheSameVersionIsWrittenAgain() {
        // given: the same entries, read in another order (as a restored store may list them)
        final List<ManifestEntry> entries = new ArrayList<>(List.of(archived("req-2", "vocals"),
                archived("req-1", "vocals"), archived("req-1", "drums"), archived("req-10", "bass")));
        final List<ManifestEntry> shuffled = new ArrayList<>(entries);
        Collections.reverse(shuffled);

        // when
        final ManifestFiles once = new ManifestFiles("a", "b", 3, 2, entries);
        final ManifestFiles again = new ManifestFiles("a", "b", 3, 2, shuffled);

        // then
        assertThat(again.csv()).isEqualTo(once.csv());
        assertThat(again.json()).isEqualTo(once.json());
        assertThat(once.entries()).extracting(e -> e.requestId() + "/" + e.stem())
                .containsExactly("req-1/drums", "req-1/vocals", "req-10/bass", "req-2/vocals");
        assertThat(once.digest()).as("the digest says what is listed, not which version")
                .isEqualTo(new ManifestFiles("a", "b", 4, 2, entries).digest());
    }

    @Test
    void shouldQuoteOnlyFieldsThatNeedItWhenWritingCsv() {
        // then
        assertThat(ManifestFiles.field("plain id-1.x")).isEqualTo("plain id-1.x");
        assertThat(ManifestFiles.field("a,b")).isEqualTo("\"a,b\"");
        assertThat(ManifestFiles.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(ManifestFiles.field("two\r\nlines")).isEqualTo("\"two\r\nlines\"");
        assertThat(ManifestFiles.field("")).isEmpty();
        assertThat(new String(new ManifestFiles("a", "b", 1, 0, List.of()).csv(), StandardCharsets.UTF_8))
                .isEqualTo(String.join(",", ManifestFiles.COLUMNS) + "\r\n");
    }
}
