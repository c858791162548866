package io.stemflow.emulator;

import io.stemflow.service.DurationText;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The distribution a task's processing time (acceptance to completion) is drawn from.
 *
 * <ul>
 *   <li>{@code FIXED}: always {@code mean} (min = mean = max);</li>
 *   <li>{@code UNIFORM}: uniform in [min, max] (mean is their midpoint);</li>
 *   <li>{@code EXPONENTIAL}: {@code min + Exp(mean - min)}, capped at {@code max}: mostly quick, a long tail.</li>
 * </ul>
 * Text form ({@link #parse}): {@code fixed:3s}, {@code uniform:2s..10s}, {@code exponential:1s..4s..60s}.
 */
public record ProcessingTime(Distribution distribution, Duration min, Duration mean, Duration max) {

    /** Shape of the distribution. */
    public enum Distribution { FIXED, UNIFORM, EXPONENTIAL }

    public ProcessingTime {
        Objects.requireNonNull(distribution, "processing time distribution");
        Objects.requireNonNull(min, "processing time min");
        Objects.requireNonNull(mean, "processing time mean");
        Objects.requireNonNull(max, "processing time max");
        if (min.isNegative() || min.compareTo(mean) > 0 || mean.compareTo(max) > 0) {
            throw new IllegalArgumentException("processing time must satisfy 0 <= min <= mean <= max, was min="
                    + min + " mean=" + mean + " max=" + max);
        }
    }

    public static ProcessingTime fixed(final Duration value) {
        return new ProcessingTime(Distribution.FIXED, value, value, value);
    }

    public static ProcessingTime uniform(final Duration min, final Duration max) {
        if (min.compareTo(max) > 0) {
            throw new IllegalArgumentException("processing time min " + min + " is above max " + max);
        }
        return new ProcessingTime(Distribution.UNIFORM, min, min.plus(max).dividedBy(2), max);
    }

    public static ProcessingTime exponential(final Duration min, final Duration mean, final Duration max) {
        return new ProcessingTime(Distribution.EXPONENTIAL, min, mean, max);
    }

    /** Draws one processing time; uses exactly one value of {@code random} unless the distribution is fixed. */
    public Duration draw(final RandomGenerator random) {
        return switch (distribution) {
            case FIXED -> mean;
            case UNIFORM -> {
                final long span = max.minus(min).toNanos();
                yield min.plusNanos(span == 0 ? 0 : random.nextLong(span + 1));
            }
            case EXPONENTIAL -> {
                final double excessMean = mean.minus(min).toNanos();
                final double draw = -Math.log(1.0 - random.nextDouble()) * excessMean;
                final long capped = (long) Math.min(draw, (double) max.minus(min).toNanos());
                yield min.plusNanos(capped);
            }
        };
    }

    /**
     * @param setting the name of the setting, for the error message
     * @throws IllegalArgumentException naming the setting when the text is not one of the documented forms
     */
    public static ProcessingTime parse(final String setting, final String text) {
        final String[] kindAndArgs = text.trim().split(":", 2);
        if (kindAndArgs.length != 2) {
            throw new IllegalArgumentException(setting + " must look like fixed:3s, uniform:2s..10s or"
                    + " exponential:1s..4s..60s, was '" + text + "'");
        }
        final String[] parts = kindAndArgs[1].split("\\.\\.");
        final String kind = kindAndArgs[0].trim().toLowerCase(Locale.ROOT);
        try {
            return switch (kind) {
                case "fixed" -> {
                    expect(setting, text, parts, 1);
                    yield fixed(duration(setting, parts[0]));
                }
                case "uniform" -> {
                    expect(setting, text, parts, 2);
                    yield uniform(duration(setting, parts[0]), duration(setting, parts[1]));
                }
                case "exponential" -> {
                    expect(setting, text, parts, 3);
                    yield exponential(duration(setting, parts[0]), duration(setting, parts[1]),
                            duration(setting, parts[2]));
                }
                default -> throw new IllegalArgumentException(setting + " distribution must be fixed, uniform or"
                        + " exponential, was '" + kind + "'");
            };
        } catch (final IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(setting)) {
                throw e;
            }
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
    }

    private static Duration duration(final String setting, final String text) {
        try {
            return DurationText.parse(text);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " must hold " + DurationText.EXPECTED + ", '" + text.trim()
                    + "' is not", e);
        }
    }

    private static void expect(final String setting, final String text, final String[] parts, final int count) {
        if (parts.length != count) {
            throw new IllegalArgumentException(setting + " expects " + count + " duration(s) separated by '..', was '"
                    + text + "'");
        }
    }
}
