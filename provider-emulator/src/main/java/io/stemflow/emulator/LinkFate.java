package io.stemflow.emulator;

/**
 * What happens to a task's stem links, decided when the task is accepted ({@link LinkExpiry}). Failed tasks have
 * no links and are always {@link #STANDARD}.
 */
public enum LinkFate {
    /** The links live {@code fileTtl} after completion; record-info always repeats them. */
    STANDARD,
    /**
     * The original links answer 410 from {@code earlyExpiryAfter} after completion; each record-info call after
     * that answers with fresh links (a new file token) serving the same files for {@code fileTtl}.
     */
    EARLY_EXPIRY,
    /**
     * Early-expiring and gone: once the original links expired, record-info answers 400 as for an unknown task
     * and the files are no longer served (410 for the original links, 404 for anything else).
     */
    GONE;

    /** Whether the original links expire early (true for {@link #EARLY_EXPIRY} and {@link #GONE}). */
    public boolean expiresEarly() {
        return this != STANDARD;
    }
}
