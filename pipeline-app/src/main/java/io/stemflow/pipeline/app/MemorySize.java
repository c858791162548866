package io.stemflow.pipeline.app;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The syntax of a memory size setting ({@code STEMFLOW_STREAMS_ROCKSDB_MEMORY}): a whole number of bytes
 * ({@code 134217728}), or of {@code KiB}, {@code MiB} or {@code GiB} ({@code 128MiB}, {@code 1 GiB}; units are
 * case-insensitive, a space before the unit is allowed). Decimal units ({@code MB}) and the JVM's letters
 * ({@code 128m}) are refused: whether they mean 10^6 or 2^20 would be a guess. Negative sizes and sizes beyond
 * {@link Long#MAX_VALUE} bytes are refused too.
 *
 * <p>The only size syntax of stemflow's settings so far; a second service that reads a size should move this
 * next to {@code DurationText} in service-support rather than copy it.
 */
final class MemorySize {

    /** What a setting's error message says a size looks like. */
    static final String EXPECTED = "a size like 134217728 (bytes), 512KiB, 128MiB or 1GiB";

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|mib|gib)?");
    private static final long KIB = 1L << 10;
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private MemorySize() {
    }

    /** @throws IllegalArgumentException (its message names {@link #EXPECTED}) when the text is not such a size */
    static long parse(final String text) {
        final String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        final Matcher m = SIZE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("not " + EXPECTED);
        }
        final long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "kib" -> KIB;
            case "mib" -> MIB;
            case "gib" -> GIB;
            default -> 1; // "b"
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("too large: at most " + Long.MAX_VALUE + " bytes", e);
        }
    }

    /** The shortest text {@link #parse} reads back as {@code bytes}: {@code 128MiB}, {@code 1GiB}, {@code 1000}. */
    static String format(final long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size is never negative, was " + bytes);
        }
        if (bytes == 0) {
            return "0";
        }
        if (bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return Long.toString(bytes);
    }
}
