package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SubmitProgressTest {

    @Test
    void shouldWriteTheFinalLineOnceWhenEveryRequestIsAcknowledgedBeforeFinishing() throws InterruptedException {
        // given a terminal
        final StringWriter text = new StringWriter();
        final SubmitProgress progress = new SubmitProgress(new LiveLines(new PrintWriter(text), true, () -> 80), 40);

        // when every request is acknowledged, and submit finishes
        for (int i = 0; i < 40; i++) {
            progress.sent(true);
        }
        progress.finish();

        // then the last line is on the screen once, whether the timer or finish drew it
        final String done = SubmitProgress.line(40, 0, 40);
        assertThat(text.toString()).endsWith("\r" + done + LiveLines.CLEAR_TO_END_OF_LINE + "\n"
                + LiveLines.CLEAR_TO_END_OF_SCREEN);
        assertThat(text.toString().split(java.util.regex.Pattern.quote(done), -1)).hasSize(2);
    }

    @Test
    void shouldDrawNothingWhenNotATerminal() throws InterruptedException {
        // given
        final StringWriter text = new StringWriter();
        final SubmitProgress progress = new SubmitProgress(new LiveLines(new PrintWriter(text), false, () -> 80), 3);

        // when
        progress.sent(true);
        progress.sent(false);
        progress.sent(true);
        progress.finish();

        // then
        assertThat(text.toString()).isEmpty();
    }

    @Test
    void shouldShowAcknowledgedAndFailedRequestsWhenRendered() {
        assertThat(SubmitProgress.line(0, 0, 40)).isEqualTo("submitting [--------------------] 0/40 (0%)");
        assertThat(SubmitProgress.line(19, 1, 40)).isEqualTo("submitting [##########----------] 20/40 (50%), 1 failed");
        assertThat(SubmitProgress.line(0, 0, 0)).isEqualTo("submitting [####################] 0/0 (100%)");
    }
}
