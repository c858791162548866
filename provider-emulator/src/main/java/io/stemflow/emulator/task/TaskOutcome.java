package io.stemflow.emulator.task;

import io.stemflow.emulator.Stem;
import java.util.List;

/** How a task ends: decided when it is accepted, revealed when it completes. */
public sealed interface TaskOutcome {

    /**
     * @param produced     stems with a file (their URLs are in the callback and record-info)
     * @param reportedNull stems the callback names with a {@code null} URL (a partial result); stems in neither
     *                     list are absent from the callback
     */
    record Succeeded(List<Stem> produced, List<Stem> reportedNull) implements TaskOutcome {
        public Succeeded {
            produced = List.copyOf(produced);
            reportedNull = List.copyOf(reportedNull);
        }
    }

    /** @param code the callback code (400, 451 or 500) and {@code message} its {@code msg} */
    record Failed(int code, String message) implements TaskOutcome {
        public static Failed of(final int code) {
            return new Failed(code, switch (code) {
                case 400 -> "bad input or unsupported audio format";
                case 451 -> "source audio could not be downloaded";
                default -> "internal error while separating";
            });
        }
    }
}
