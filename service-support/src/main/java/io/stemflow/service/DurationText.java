package io.stemflow.service;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of every setting: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, a
 * combination of hours, minutes and seconds ({@code 1h30m}, {@code 1.5s}), or ISO-8601 ({@code PT10S},
 * {@code P14D}); units are case-insensitive. A bare number is refused (its unit would be a guess), and so is a
 * negative duration. This accepts everything the former per-service parsers accepted with the same meaning.
 */
public final class DurationText {

    /** What a setting's error message says a duration looks like. */
    public static final String EXPECTED = "a duration like 250ms, 10s, 5m, 2h, 1d or PT10S";

    private static final Pattern SINGLE = Pattern.compile("(\\d+)(ms|d)");
    private static final Pattern CLOCK = Pattern.compile("(\\d+h)?(\\d+m)?(\\d+(\\.\\d+)?s)?");

    private DurationText() {
    }

    /** @throws IllegalArgumentException (message {@link #EXPECTED}) when the text is not a non-negative duration */
    public static Duration parse(final String text) {
        final String t = text == null ? "" : text.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        try {
            final Duration parsed;
            final Matcher single = SINGLE.matcher(t);
            if (t.startsWith("p")) {
                parsed = Duration.parse(t.toUpperCase(Locale.ROOT));
            } else if (single.matches()) {
                final long amount = Long.parseLong(single.group(1));
                parsed = "ms".equals(single.group(2)) ? Duration.ofMillis(amount) : Duration.ofDays(amount);
            } else if (!t.isEmpty() && CLOCK.matcher(t).matches()) {
                parsed = Duration.parse("PT" + t.toUpperCase(Locale.ROOT));
            } else {
                throw new IllegalArgumentException("not " + EXPECTED);
            }
            if (parsed.isNegative()) {
                throw new IllegalArgumentException("not " + EXPECTED + " (negative)");
            }
            return parsed;
        } catch (final DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("not " + EXPECTED, e);
        }
    }

    /** The shortest text {@link #parse} reads back as {@code duration} (milliseconds precision). */
    public static String format(final Duration duration) {
        final long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        final long seconds = millis / 1000;
        return seconds % 60 == 0 && seconds > 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
