package io.stemflow.pipeline.topology;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SubmissionOutcome;

/** What can happen to a job: the job lifecycle processor's merged input. */
sealed interface JobEvent {

    record Requested(SeparationRequest request) implements JobEvent {
    }

    record Outcome(SubmissionOutcome outcome) implements JobEvent {
    }

    record Result(SeparationResult result) implements JobEvent {
    }

    record Decided(JobDecision decision) implements JobEvent {
    }

    record Scheduled(ScheduleEvent event) implements JobEvent {
    }
}
