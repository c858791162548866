package io.stemflow.pipeline.topology;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.Priority;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.StemReady;

/** Everything the job lifecycle processor emits: one type per topic it can go to. */
sealed interface JobOutput {

    /** To {@code separation-admitted}. */
    record Admitted(AdmittedJob value) implements JobOutput {
    }

    /** To {@code separation-status}. */
    record Status(JobStatus value) implements JobOutput {
    }

    /** To {@code separation-stems}. */
    record Stem(StemReady value) implements JobOutput {
    }

    /** To {@code separation-dlq}. */
    record Dead(DeadLetter value) implements JobOutput {
    }

    /** To {@code separation-reconcile}. */
    record Reconcile(ReconcileRequest value) implements JobOutput {
    }

    /**
     * To the internal {@code credit-commands} topic of {@code lane} (TopicNames.lane), keyed by accountId: a
     * new job's RESERVE in its class's lane, anything about a job under way in the INTERACTIVE (fast) lane.
     */
    record Command(CreditCommand value, Priority lane) implements JobOutput {
    }

    /** To the internal {@code job-queue} topic of {@code lane} (the scheduler), the same way. */
    record Queue(QueueEvent value, Priority lane) implements JobOutput {
    }
}
