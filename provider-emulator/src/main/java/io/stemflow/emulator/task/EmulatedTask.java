package io.stemflow.emulator.task;

import io.stemflow.emulator.SeparationMode;
import java.time.Instant;
import java.util.Objects;

/**
 * One accepted separation task: what was asked, what was decided ({@link TaskPlan}), and how delivery went.
 * The request and plan never change; the delivery state is guarded by this object's lock.
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
