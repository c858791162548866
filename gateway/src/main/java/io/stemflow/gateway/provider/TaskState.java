package io.stemflow.gateway.provider;

import java.util.Locale;

/** record-info's {@code successFlag}. */
public enum TaskState {
    PENDING,
    SUCCESS,
    CREATE_TASK_FAILED,
    GENERATE_AUDIO_FAILED,
    /** Every callback delivery failed; the result (and stems) are still in record-info. */
    CALLBACK_EXCEPTION,
    /** A flag this client does not know; treated as not finished. */
    UNKNOWN;

    public static TaskState parse(final String flag) {
        if (flag == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(flag.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return UNKNOWN;
        }
    }

    /** Whether the task has a final result (successful or failed). */
    public boolean finished() {
        return this == SUCCESS || this == CALLBACK_EXCEPTION || this == CREATE_TASK_FAILED
                || this == GENERATE_AUDIO_FAILED;
    }

    /** Whether the task produced stems. */
    public boolean succeeded() {
        return this == SUCCESS || this == CALLBACK_EXCEPTION;
    }
}
