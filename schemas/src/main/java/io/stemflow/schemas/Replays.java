package io.stemflow.schemas;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.SeparationRequest;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of replaying failed jobs from {@code separation-dlq}, written once for {@code stemflow replay} and the
 * dashboard's "replay failed" button.
 *
 * <p>A job is replayed with attempt = the failed attempt + 1 and {@code replayOf} = the dead letter's id, so
 * replaying the same selection twice produces the same request, which the topology admits once.
 */
public final class Replays {

    /** The dead letters a replay starts again from: the provider refused the job, failed it, or never answered. */
    public static final Set<DeadLetterKind> REPLAYABLE = Collections.unmodifiableSet(
            EnumSet.of(DeadLetterKind.PROVIDER_REJECTED, DeadLetterKind.JOB_FAILED, DeadLetterKind.TIMED_OUT));

    private Replays() {
    }

    /** Whether {@code letter} can be replayed at all: a replayable kind, with the request and its attempt. */
    public static boolean canReplay(final DeadLetter letter) {
        return letter != null && REPLAYABLE.contains(letter.getKind()) && letter.getRequest() != null
                && letter.getRequestId() != null && letter.getAttempt() != null;
    }

    /** Keeps in {@code latest} the newest attempt's dead letter of each request. */
    public static void keepLatest(final Map<String, DeadLetter> latest, final DeadLetter letter) {
        final DeadLetter earlier = latest.get(letter.getRequestId());
        if (earlier == null || earlier.getAttempt() <= letter.getAttempt()) {
            latest.put(letter.getRequestId(), letter);
        }
    }

    /**
     * Why {@code letter} is not replayed now, given the job's state and attempt as the query API shows them, or
     * empty when it should be.
     */
    public static Optional<String> skipReason(final DeadLetter letter, final String state, final int attempt) {
        if (attempt > letter.getAttempt()) {
            return Optional.of("already replayed (attempt " + attempt + " is " + state + ")");
        }
        if (!JobStates.isReplayable(state)) {
            return Optional.of("it is " + state + " now");
        }
        return Optional.empty();
    }

    /** The request that replays {@code letter}: its request as a new attempt, naming the dead letter. */
    public static SeparationRequest replayOf(final DeadLetter letter, final Instant now) {
        return SeparationRequest.newBuilder(letter.getRequest())
                .setAttempt(letter.getAttempt() + 1)
                .setReplayOf(letter.getDeadLetterId())
                .setRequestedAt(now)
                .build();
    }
}
