package io.stemflow.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogTextTest {

    @Test
    void shouldEscapeEveryCharacterThatCanForgeOrHideALogLineWhenTextComesFromAStranger() {
        // given the probe's characters: CSI, NEL, right-to-left override, line separator, and the usual CR/LF/ESC
        final String probe = "/callbacks/r1\u009B31m\u0085forged\u202Eevil\u2028line\r\n\u001B[2J\u2029\uFEFF\uD800x\\u0041";
        // when
        final String escaped = LogText.escape(probe);
        // then
        assertThat(escaped).isEqualTo("/callbacks/r1\\u009B31m\\u0085forged\\u202Eevil\\u2028line\\u000D\\u000A"
                + "\\u001B[2J\\u2029\\uFEFF\\uD800x\\\\u0041");
        assertThat(escaped.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Test
    void shouldKeepPrintableTextAndCutItWhenItIsLong() {
        assertThat(LogText.escape("Café 東京 ok")).isEqualTo("Café 東京 ok");
        assertThat(LogText.escape("x".repeat(500))).isEqualTo("x".repeat(LogText.MAX_CHARS) + "...(500 chars)");
        assertThat(LogText.escape(null)).isEqualTo("null");
    }

    @Test
    void shouldLogOneWarningPerIntervalAndCountTheRestWhenAFloodArrives() {
        // given
        final AtomicLong now = new AtomicLong();
        final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(LogTextTest.class), Duration.ofSeconds(10),
                now::get);
        // when
        int logged = 0;
        for (int i = 0; i < 1000; i++) {
            logged += log.warn("bad-token", "bad token from {}", "1.2.3.4") ? 1 : 0;
        }
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        final boolean afterInterval = log.warn("bad-token", "bad token from {}", "1.2.3.4");
        final boolean otherKind = log.warn("bad-signature", "bad signature");
        // then
        assertThat(logged).isEqualTo(1);
        assertThat(afterInterval).isTrue();
        assertThat(otherKind).isTrue();
    }
}
