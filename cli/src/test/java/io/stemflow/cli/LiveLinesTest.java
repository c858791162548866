package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redrawing in place: what status --watch and submit write to a terminal. */
class LiveLinesTest {

    private static final String UP = "\u001b[%dA";
    private static final String EOL = "\u001b[K";
    private static final String EOS = "\u001b[J";

    @Test
    void shouldClearTheRestOfEachRowWhenAShorterLineReplacesALongerOne() {
        // given
        final StringWriter text = new StringWriter();
        final LiveLines screen = new LiveLines(new PrintWriter(text), true, () -> 120);

        // when
        screen.draw(List.of("batch b: 40 jobs | provider 0.0 calls/s of 2.0 allowed | ETA 0m10s at the provider's limit"));
        screen.draw(List.of("batch b: 40 jobs | COMPLETED 40"));

        // then the second frame goes back up over the first and clears the rest of its row (no "...allowed   lowed")
        assertThat(text.toString()).isEqualTo(
                "\rbatch b: 40 jobs | provider 0.0 calls/s of 2.0 allowed | ETA 0m10s at the provider's limit" + EOL + "\n" + EOS
                        + String.format(UP, 1) + "\rbatch b: 40 jobs | COMPLETED 40" + EOL + "\n" + EOS);
    }

    @Test
    void shouldMoveUpOverEveryRowOfThePreviousFrameWhenItHadSeveral() {
        // given three lines, the last of which wraps on a 40-column terminal
        final List<String> first = List.of("one", "two", "three | four | five | six | seven | eight | nine");

        // when
        final List<String> rows = LiveLines.rows(first, 40);
        final String next = LiveLines.frame(LiveLines.rows(List.of("only one"), 40), rows.size());

        // then
        assertThat(rows).containsExactly("one", "two", "three | four | five | six | seven", "  eight | nine");
        assertThat(next).isEqualTo(String.format(UP, 4) + "\ronly one" + EOL + "\n" + EOS);
    }

    @Test
    void shouldWrapEveryLineToTheWidthLessOneColumnWhenTooLong() {
        // given
        final String line = "batch cli-demo: 60 jobs | QUEUED 12 ADMITTED 8 SUBMITTED 16 COMPLETED 24 | "
                + "credits reserved 360, spent 240";

        // when
        final List<String> rows = LiveLines.wrap(line, 50);

        // then no row reaches the last column, the breaks fall between parts, and nothing is lost
        assertThat(rows).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(49));
        assertThat(rows).containsExactly("batch cli-demo: 60 jobs", "  QUEUED 12 ADMITTED 8 SUBMITTED 16 COMPLETED 24",
                "  credits reserved 360, spent 240");
        assertThat(LiveLines.wrap("x".repeat(70), 30)).containsExactly("x".repeat(29), "  " + "x".repeat(27),
                "  " + "x".repeat(14));
        assertThat(LiveLines.wrap("short", 80)).containsExactly("short");
    }

    @Test
    void shouldShowControlCharactersAsQuestionMarksWhenALineCarriesThem() {
        assertThat(LiveLines.wrap("batch a\u001b[2Jb\rc", 80)).containsExactly("batch a?[2Jb?c");
    }

    @Test
    void shouldPrintPlainLinesWithoutEscapesWhenNotATerminal() {
        // given
        final StringWriter text = new StringWriter();
        final LiveLines log = new LiveLines(new PrintWriter(text), false, () -> 20);

        // when
        log.draw(List.of("batch b: 2 jobs | QUEUED 2", "credits reserved 20, spent 0"));
        log.draw(List.of("batch b: 2 jobs | COMPLETED 2", "credits reserved 0, spent 20"));

        // then
        assertThat(text.toString()).doesNotContain("\u001b", "\r").isEqualTo(String.join(System.lineSeparator(),
                "batch b: 2 jobs | QUEUED 2", "credits reserved 20, spent 0", "batch b: 2 jobs | COMPLETED 2",
                "credits reserved 0, spent 20", ""));
    }
}
