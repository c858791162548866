package io.stemflow.emulator;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 14d} or ISO-8601
 * ({@code PT10S}). A bare number is refused: its unit would be a guess.
 */
public final class DurationText {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private DurationText() {
    }

    /**
     * @param setting the name of the setting, for the error message
     * @throws IllegalArgumentException naming the setting when the text is not a non-negative duration
     */
    public static Duration parse(final String setting, final String text) {
        final String trimmed = text == null ? "" : text.trim();
        final Matcher m = SHORT.matcher(trimmed);
        try {
            final Duration result;
            if (m.matches()) {
                final long amount = Long.parseLong(m.group(1));
                result = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            } else {
                result = Duration.parse(trimmed);
            }
            if (result.isNegative()) {
                throw new IllegalArgumentException(setting + " must not be negative, was '" + text + "'");
            }
            return result;
        } catch (final DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(setting + " must be a duration like 250ms, 10s, 5m, 2h, 14d or PT10S, was '"
                    + text + "'", e);
        }
    }
}
