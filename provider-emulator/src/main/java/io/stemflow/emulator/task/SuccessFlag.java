package io.stemflow.emulator.task;

/** record-info's {@code successFlag}. */
public enum SuccessFlag {
    /** Not complete yet. */
    PENDING,
    /** Complete with stems; the callback (if not lost) carried code 200. */
    SUCCESS,
    /** Failed with code 400 (bad input or unsupported format). */
    CREATE_TASK_FAILED,
    /** Failed with code 451 or 500. */
    GENERATE_AUDIO_FAILED,
    /** Complete with stems, but every callback delivery failed: the stems are only here. */
    CALLBACK_EXCEPTION
}
