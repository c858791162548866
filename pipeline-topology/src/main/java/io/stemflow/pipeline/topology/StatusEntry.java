package io.stemflow.pipeline.topology;

import io.stemflow.avro.JobState;
import java.util.Objects;

/**
 * One step of a job's history, as kept in the job store (and mirrored on separation-status). A note that
 * changed nothing (a duplicate callback, a refused request) and repeats the one before it is kept once,
 * counted: {@code times} notes, the first at {@code at}, the last at {@code lastAt}; so a stranger's flood of
 * duplicates cannot push the job's real history out of its bounded list.
 *
 * @param times  how many identical notes this entry stands for (1 for a step; 0 in an older store: 1)
 * @param lastAt when the last of them came (0 in an older store: {@code at})
 */
public record StatusEntry(JobState state, JobState previousState, String reason, Integer code,
                          String providerTaskId, int attempt, long at, int times, long lastAt) {

    public StatusEntry {
        times = Math.max(1, times);
        lastAt = lastAt == 0 ? at : lastAt;
    }

    public StatusEntry(final JobState state, final JobState previousState, final String reason, final Integer code,
                       final String providerTaskId, final int attempt, final long at) {
        this(state, previousState, reason, code, providerTaskId, attempt, at, 1, at);
    }

    /** A note: the state did not change. */
    public boolean isNote() {
        return state == previousState;
    }

    /** Whether {@code next} is the same note again (same state, reason, code, task and attempt). */
    boolean repeatedBy(final StatusEntry next) {
        return isNote() && next.isNote() && state == next.state && Objects.equals(reason, next.reason)
                && Objects.equals(code, next.code) && Objects.equals(providerTaskId, next.providerTaskId)
                && attempt == next.attempt;
    }

    /** This note counted once more, the last one at {@code when}. */
    StatusEntry repeatedAt(final long when) {
        return new StatusEntry(state, previousState, reason, code, providerTaskId, attempt, at,
                times == Integer.MAX_VALUE ? times : times + 1, Math.max(lastAt, when));
    }
}
