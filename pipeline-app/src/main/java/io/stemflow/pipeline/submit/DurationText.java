package io.stemflow.pipeline.submit;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Durations written {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT10S}). */
final class DurationText {

    private DurationText() {
    }

    /** @throws IllegalArgumentException when the text is not a duration */
    static Duration parse(final String text) {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            final long amount = Long.parseLong(t.substring(0, t.length() - 1).trim());
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException("unknown unit");
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a duration (use 250ms, 10s, 5m, 2h, 1d or PT10S)", e);
        }
    }

    static String format(final Duration duration) {
        final long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        final long seconds = millis / 1000;
        return seconds % 60 == 0 && seconds > 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
