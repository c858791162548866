package io.stemflow.emulator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How record-info renders {@code createTime}/{@code completeTime}: the provider's answers show both forms. */
public enum RecordInfoTimeFormat {
    /** A JSON number of epoch milliseconds: {@code 1753782854000}. */
    EPOCH_MILLIS,
    /** A JSON string {@code yyyy-MM-dd HH:mm:ss} in UTC: {@code "2026-11-20 10:14:03"}. */
    STRING;

    private static final DateTimeFormatter TEXT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** Formats as text; only meaningful for {@link #STRING}. */
    public static String text(final Instant instant) {
        return TEXT.format(instant);
    }
}
