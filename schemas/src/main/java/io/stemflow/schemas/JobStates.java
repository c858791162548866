package io.stemflow.schemas;

import io.stemflow.avro.JobState;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Facts of the contract about job states, written once for every module and tool. */
public final class JobStates {

    /** States a job never leaves by itself: COMPLETED, FAILED, TIMED_OUT (a replay starts a new attempt). */
    public static final Set<JobState> TERMINAL =
            Collections.unmodifiableSet(EnumSet.of(JobState.COMPLETED, JobState.FAILED, JobState.TIMED_OUT));

    /** Terminal states a replay may start again from: FAILED and TIMED_OUT (never COMPLETED). */
    public static final Set<JobState> REPLAYABLE =
            Collections.unmodifiableSet(EnumSet.of(JobState.FAILED, JobState.TIMED_OUT));

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
