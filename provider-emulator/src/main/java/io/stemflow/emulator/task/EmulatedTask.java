package io.stemflow.emulator.task;

import io.stemflow.emulator.SeparationMode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One accepted separation task: what was asked, what was decided ({@link TaskPlan}), how delivery went, and the
 * fresh links issued for it. The request and plan never change; the delivery state and the fresh links are
 * guarded by this object's lock.
 *
 * <p>Link lifetimes: the original file token ({@link TaskPlan#fileToken()}) expires {@code fileTtl} after
 * completion, or {@code min(earlyExpiryAfter, fileTtl)} after it when the task's links expire early; a fresh token
 * expires {@code fileTtl} after it was issued.
 */
public final class EmulatedTask {

    /**
     * What the generate call asked for.
     *
     * @param musicTaskId the request's {@code taskId} (the music-generation task owning the audio)
     * @param audioId     the request's {@code audioId}, reported as record-info's {@code musicId}
     */
    public record Request(String keyId, String musicTaskId, String audioId, SeparationMode mode, String callbackUrl) {
        public Request {
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(musicTaskId, "musicTaskId");
            Objects.requireNonNull(audioId, "audioId");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(callbackUrl, "callbackUrl");
        }
    }

    private final Request request;
    private final TaskPlan plan;
    private final Instant createdAt;
    private int failedDeliveries;
    private boolean delivered;
    private boolean givenUp;
    private final Map<String, Instant> freshLinks = new HashMap<>();

    public EmulatedTask(final Request request, final TaskPlan plan, final Instant createdAt) {
        this.request = Objects.requireNonNull(request, "request");
        this.plan = Objects.requireNonNull(plan, "plan");
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    }

    public String id() {
        return plan.providerTaskId();
    }

    public Request request() {
        return request;
    }

    public TaskPlan plan() {
        return plan;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant completeAt() {
        return createdAt.plus(plan.processingTime());
    }

    public boolean completeBy(final Instant now) {
        return !now.isBefore(completeAt());
    }

    public boolean succeeded() {
        return plan.outcome() instanceof TaskOutcome.Succeeded;
    }

    /** Records a failed delivery attempt (not a duplicate) and returns how many have failed so far. */
    public synchronized int deliveryFailed() {
        return ++failedDeliveries;
    }

    public synchronized void markDelivered() {
        delivered = true;
    }

    public synchronized void markGivenUp() {
        givenUp = true;
    }

    public synchronized boolean delivered() {
        return delivered;
    }

    public synchronized boolean givenUp() {
        return givenUp;
    }

    /** When the links the task was completed with (callback, record-info until then) answer 410. */
    public Instant originalLinksExpireAt(final Duration fileTtl) {
        final LinkPlan links = plan.links();
        final Duration lifetime = links.fate().expiresEarly() && links.earlyExpiryAfter().compareTo(fileTtl) < 0
                ? links.earlyExpiryAfter() : fileTtl;
        return completeAt().plus(lifetime);
    }

    /**
     * Issues a fresh file token at {@code now}: the n-th of this task is the same in every run with the same seed.
     * The caller registers it so the file route finds it.
     */
    public synchronized String issueFreshLink(final Instant now) {
        final int number = freshLinks.size() + 1;
        final long tokenSeed = Seeds.mix(plan.links().refreshSeed() ^ Seeds.mix(number));
        final String token = Seeds.hex32(new SplittableRandom(tokenSeed));
        freshLinks.put(token, now);
        return token;
    }

    /**
     * When the link with {@code fileToken} answers 410: the original token's or a fresh token's expiry; empty for
     * a token not of this task.
     */
    public synchronized Optional<Instant> linkExpiresAt(final String fileToken, final Duration fileTtl) {
        if (plan.fileToken().equals(fileToken)) {
            return Optional.of(originalLinksExpireAt(fileTtl));
        }
        return Optional.ofNullable(freshLinks.get(fileToken)).map(issued -> issued.plus(fileTtl));
    }

    /** record-info's view of this task at {@code now}. */
    public SuccessFlag successFlag(final Instant now) {
        if (!completeBy(now)) {
            return SuccessFlag.PENDING;
        }
        if (plan.outcome() instanceof TaskOutcome.Failed failed) {
            return failed.code() == 400 ? SuccessFlag.CREATE_TASK_FAILED : SuccessFlag.GENERATE_AUDIO_FAILED;
        }
        return givenUp() ? SuccessFlag.CALLBACK_EXCEPTION : SuccessFlag.SUCCESS;
    }
}
