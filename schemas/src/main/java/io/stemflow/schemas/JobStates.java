package io.stemflow.schemas;

import io.stemflow.avro.JobState;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Facts of the contract about job states, written once for every module and tool. */
public final class JobStates {

    /**
     * States a job never leaves by itself: COMPLETED, FAILED, TIMED_OUT, CANCELLED (a replay starts a new
     * attempt).
     */
    public static final Set<JobState> TERMINAL = Collections.unmodifiableSet(
            EnumSet.of(JobState.COMPLETED, JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED));

    /** Terminal states a replay may start again from: FAILED, TIMED_OUT and CANCELLED (never COMPLETED). */
    public static final Set<JobState> REPLAYABLE = Collections.unmodifiableSet(
            EnumSet.of(JobState.FAILED, JobState.TIMED_OUT, JobState.CANCELLED));

    /** States of a job that waits in the scheduler's queue: QUEUED and PAUSED. */
    public static final Set<JobState> WAITING =
            Collections.unmodifiableSet(EnumSet.of(JobState.QUEUED, JobState.PAUSED));

    private JobStates() {
    }

    public static boolean isTerminal(final JobState state) {
        return state != null && TERMINAL.contains(state);
    }

    /** For views that carry the state as text (the query API's JSON): unknown names are not terminal. */
    public static boolean isTerminal(final String state) {
        return TERMINAL.stream().anyMatch(s -> s.name().equals(state));
    }

    public static boolean isReplayable(final String state) {
        return REPLAYABLE.stream().anyMatch(s -> s.name().equals(state));
    }
}
