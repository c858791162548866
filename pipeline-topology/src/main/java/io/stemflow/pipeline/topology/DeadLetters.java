package io.stemflow.pipeline.topology;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import java.time.Instant;

/** Builds the dead letters of failed jobs (their headers: {@link io.stemflow.schemas.DeadLetterHeaders}). */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** A failed job's dead letter, carrying its request for replay. */
    static DeadLetter ofJob(final JobRecord job, final DeadLetterKind kind, final String reason, final Integer code,
                            final String sourceTopic, final long at) {
        return DeadLetter.newBuilder()
                .setDeadLetterId(job.requestId() + "/" + job.attempt() + "/" + kind.name())
                .setKind(kind)
                .setReason(reason)
                .setCode(code)
                .setRequestId(job.requestId())
                .setAccountId(job.accountId())
                .setBatchId(job.batchId())
                .setAttempt(job.attempt())
                .setRequest(job.toRequest())
                .setSourceTopic(sourceTopic)
                .setFailedAt(Instant.ofEpochMilli(at))
                .build();
    }
}
