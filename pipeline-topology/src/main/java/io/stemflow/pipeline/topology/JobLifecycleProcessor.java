package io.stemflow.pipeline.topology;

import io.stemflow.schemas.DeadLetterHeaders;
import io.stemflow.schemas.DeadLetterRules;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.Priority;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import io.stemflow.schemas.JobStates;
import io.stemflow.schemas.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every decision about a job (keyed by requestId): admission requests to the account side,
 * queuing admitted jobs with the scheduler and handing them to the gateway when it releases them (or
 * holding or cancelling them when it says so), the job's state, correlation of its submission outcome and result, stems, dead letters,
 * timeouts and replays. Forwards values of several types (AdmittedJob, JobStatus, StemReady,
 * DeadLetter, ReconcileRequest, CreditCommand); the topology routes each to its topic.
 *
 * <p>Invariants: one RESERVE per attempt; after it exactly one CAPTURE (first successful result
 * of the submitted task) or one RELEASE (rejection, failure or timeout); stems only once, for the
 * first terminal result. Duplicates and late arrivals change nothing and are counted.
 */
final class JobLifecycleProcessor implements Processor<String, JobEvent, String, JobOutput> {

    private static final Logger LOG = LoggerFactory.getLogger(JobLifecycleProcessor.class);

    private final TopologyConfig config;
    private final TopologyMetrics metrics;
    private ProcessorContext<String, JobOutput> context;
    private KeyValueStore<String, JobRecord> jobs;
    private KeyValueStore<String, String> deadlines;

    JobLifecycleProcessor(final TopologyConfig config, final TopologyMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, JobOutput> ctx) {
        this.context = ctx;
        this.jobs = ctx.getStateStore(StoreNames.JOB_STATES);
        this.deadlines = ctx.getStateStore(StoreNames.JOB_DEADLINES);
        ctx.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::handleOverdue);
    }

    @Override
    public void process(final Record<String, JobEvent> record) {
        final long now = context.currentSystemTimeMs();
        final JobEvent event = record.value();
        if (event instanceof JobEvent.Requested r) {
            onRequest(record.key(), r.request(), Origin.of(record.headers(), context.recordMetadata(),
                    TopicNames.REQUESTS), record.timestamp(), now);
        } else if (event instanceof JobEvent.Decided d) {
            onDecision(d.decision(), now);
        } else if (event instanceof JobEvent.Outcome o) {
            onOutcome(o.outcome(), now);
        } else if (event instanceof JobEvent.Result r) {
            onResult(PendingResult.of(r.result()), r.result().getRequestId(), now);
        } else if (event instanceof JobEvent.Scheduled s) {
            onScheduled(s.event(), now);
        }
    }

    // ---- requests, replays ------------------------------------------------------------------

    /**
     * @param stamp the request's place in the work order (see WorkOrder): its credit reservation keeps it, so
     *              an INTERACTIVE request is also decided before BULK ones on the account side
     */
    private void onRequest(final String key, final SeparationRequest request, final Origin origin, final long stamp,
                           final long now) {
        final Optional<String> problem = RequestValidator.problem(key, request);
        if (problem.isPresent()) {
            metrics.count(Event.INVALID_REQUEST);
            deadLetterInvalid(key, request, problem.get(), origin, now);
            return;
        }
        final JobRecord existing = jobs.get(request.getRequestId());
        if (existing == null) {
            start(request, List.of(), stamp, now);
            return;
        }
        if (request.getAttempt() <= existing.attempt()) {
            metrics.count(Event.DUPLICATE_REQUEST);
            note(existing, "duplicate request of attempt " + request.getAttempt() + " ignored", null, now);
            return;
        }
        if (JobStates.REPLAYABLE.contains(existing.state())) {
            metrics.count(Event.REPLAY_STARTED);
            final JobRecord replayed = move(existing, JobState.REPLAYED,
                    "replayed as attempt " + request.getAttempt() + " after " + existing.state(), null, now);
            clearDeadline(existing);
            start(request, replayed.history(), stamp, now);
            return;
        }
        metrics.count(Event.REPLAY_REFUSED);
        note(existing, existing.state() == JobState.COMPLETED
                ? "replay refused: the job already completed"
                : "replay refused: the job is still " + existing.state(), null, now);
    }

    private void start(final SeparationRequest request, final List<StatusEntry> history, final long stamp,
                       final long now) {
        final long credits = config.costOf(request.getType());
        final JobRecord fresh = JobRecord.requested(request, credits, history);
        final StatusEntry entry = new StatusEntry(JobState.REQUESTED, history.isEmpty() ? null : JobState.REPLAYED,
                null, null, null, request.getAttempt(), now);
        final JobRecord job = fresh.moved(entry, config.historyLimit());
        jobs.put(job.requestId(), job);
        emitStatus(job, entry);
        forward(job.accountId(), command(CreditCommand.Kind.RESERVE, job, credits, now), stamp);
    }

    // ---- admission decisions ----------------------------------------------------------------

    private void onDecision(final JobDecision decision, final long now) {
        final JobRecord job = jobs.get(decision.requestId());
        if (job == null || job.attempt() != decision.attempt()) {
            metrics.count(Event.STALE_DECISION);
            LOG.warn("Decision {} for request {} attempt {} does not match any current job", decision.kind(),
                    decision.requestId(), decision.attempt());
            return;
        }
        switch (decision.kind()) {
            case ADMITTED -> {
                if (job.state() != JobState.REQUESTED && job.state() != JobState.THROTTLED) {
                    metrics.count(Event.STALE_DECISION);
                    return;
                }
                // Credits are reserved: the job waits in the scheduler's queue for its turn.
                move(job, JobState.QUEUED, null, null, now);
                forward(job.requestId(), new JobOutput.Queue(new QueueEvent.Enqueue(new QueuedJob(job.requestId(),
                        job.attempt(), job.accountId(), job.batchId(), job.priority())), job.priority()),
                        WorkOrder.newRequest(job.priority(), now));
            }
            case THROTTLED -> {
                if (job.state() != JobState.REQUESTED) {
                    metrics.count(Event.STALE_DECISION);
                    return;
                }
                move(job, JobState.THROTTLED, decision.reason(), null, now);
            }
            case CANCELLED -> {
                if (job.state() != JobState.REQUESTED && job.state() != JobState.THROTTLED) {
                    metrics.count(Event.STALE_DECISION);
                    return;
                }
                // Nothing was reserved: no credit to give back.
                move(job, JobState.CANCELLED, decision.reason(), null, now);
            }
        }
    }

    // ---- the scheduler's decisions ----------------------------------------------------------

    private void onScheduled(final ScheduleEvent event, final long now) {
        final JobRecord job = jobs.get(event.requestId());
        final boolean current = job != null && job.attempt() == event.attempt();
        final boolean waiting = current && JobStates.WAITING.contains(job.state());
        switch (event.kind()) {
            case RELEASE -> {
                if (!waiting) {
                    // Not handed on: its place in the lead is free again.
                    metrics.count(Event.STALE_SCHEDULE);
                    forward(event.requestId(), settled(event.requestId(), event.attempt()), WorkOrder.followUp(now));
                    return;
                }
                final JobRecord admitted = move(job, JobState.ADMITTED, null, null, now);
                forward(job.requestId(), new JobOutput.Admitted(new AdmittedJob(admitted.toRequest(), job.credits(),
                        Instant.ofEpochMilli(now))), now);
            }
            case HOLD -> {
                if (waiting && job.state() == JobState.QUEUED) {
                    move(job, JobState.PAUSED, event.reason(), null, now);
                }
            }
            case UNHOLD -> {
                if (waiting && job.state() == JobState.PAUSED) {
                    move(job, JobState.QUEUED, event.reason(), null, now);
                }
            }
            case CANCEL -> {
                if (!waiting) {
                    metrics.count(Event.STALE_SCHEDULE);
                    return;
                }
                move(job, JobState.CANCELLED, event.reason(), null, now);
                forward(job.accountId(), command(CreditCommand.Kind.RELEASE, job, job.credits(), now),
                        WorkOrder.followUp(now));
            }
        }
    }

    // ---- submission outcomes ----------------------------------------------------------------

    private void onOutcome(final SubmissionOutcome outcome, final long now) {
        final JobRecord job = jobs.get(outcome.getRequestId());
        if (job == null || outcome.getAttempt() != job.attempt() || job.state() != JobState.ADMITTED) {
            metrics.count(Event.UNEXPECTED_OUTCOME);
            if (job != null) {
                note(job, "submission outcome " + outcome.getStatus() + " of attempt " + outcome.getAttempt()
                        + " ignored while " + job.state(), outcome.getCode(), now);
            } else {
                LOG.warn("Submission outcome for unknown request {} ignored", outcome.getRequestId());
            }
            return;
        }
        // The job has its outcome: its place in the scheduler's lead is free.
        forward(job.requestId(), settled(job.requestId(), job.attempt()), WorkOrder.followUp(now));
        if (outcome.getStatus() == SubmissionStatus.ACCEPTED && outcome.getProviderTaskId() != null) {
            final long deadline = now + config.resultTimeout().toMillis();
            final JobRecord submitted = job.submitted(outcome.getProviderTaskId(), now, deadline);
            final StatusEntry entry = new StatusEntry(JobState.SUBMITTED, job.state(), null, outcome.getCode(),
                    outcome.getProviderTaskId(), job.attempt(), now);
            JobRecord moved = submitted.moved(entry, config.historyLimit());
            jobs.put(moved.requestId(), moved);
            emitStatus(moved, entry);
            setDeadline(moved);
            final PendingResult early = moved.earlyResult();
            if (early != null) {
                moved = moved.withEarlyResult(null);
                jobs.put(moved.requestId(), moved);
                onResult(early, moved.requestId(), now);
            }
            return;
        }
        final String reason = "provider rejected the job: " + outcome.getCode()
                + (outcome.getMessage() == null ? "" : " " + outcome.getMessage());
        fail(job, DeadLetterKind.PROVIDER_REJECTED, reason, outcome.getCode(), TopicNames.SUBMISSIONS, now);
    }

    // ---- results ----------------------------------------------------------------------------

    private void onResult(final PendingResult result, final String requestId, final long now) {
        final JobRecord job = jobs.get(requestId);
        if (job == null) {
            metrics.count(Event.TASK_MISMATCH);
            mismatch(requestId, result, "result for a request stemflow does not know", now);
            return;
        }
        switch (job.state()) {
            case ADMITTED -> {
                // The callback overtook the submitter's outcome: hold the first result until the outcome comes.
                if (job.earlyResult() == null) {
                    metrics.count(Event.EARLY_RESULT);
                    jobs.put(requestId, job.withEarlyResult(result));
                } else {
                    metrics.count(Event.DUPLICATE_RESULT);
                }
            }
            case SUBMITTED, RECONCILING -> {
                if (!result.providerTaskId().equals(job.providerTaskId())) {
                    metrics.count(Event.TASK_MISMATCH);
                    mismatch(requestId, result, "result for provider task " + result.providerTaskId()
                            + " but attempt " + job.attempt() + " was submitted as task " + job.providerTaskId(), now);
                    return;
                }
                if (result.succeeded()) {
                    complete(job, result, now);
                } else {
                    final String reason = "provider could not separate: " + result.code()
                            + (result.message() == null ? "" : " " + result.message());
                    fail(job, DeadLetterKind.JOB_FAILED, reason, result.code(), TopicNames.RESULTS, now);
                }
            }
            default -> {
                if (job.terminal() && result.providerTaskId().equals(job.providerTaskId())) {
                    metrics.count(Event.DUPLICATE_RESULT);
                    note(job, "duplicate " + result.source() + " result ignored", result.code(), now);
                } else {
                    metrics.count(Event.TASK_MISMATCH);
                    mismatch(requestId, result, "result for provider task " + result.providerTaskId()
                            + " while the job is " + job.state()
                            + (job.providerTaskId() == null ? "" : " with task " + job.providerTaskId()), now);
                }
            }
        }
    }

    private void complete(final JobRecord job, final PendingResult result, final long now) {
        final List<StemEntry> stems = result.stems().stream()
                .filter(s -> s.url() != null && !s.url().isBlank())
                .toList();
        final JobRecord done = job.completed(stems, now);
        final JobRecord moved = move(done, JobState.COMPLETED, null, result.code(), now);
        clearDeadline(job);
        final long expires = now + config.stemLinkTtl().toMillis();
        for (final StemEntry s : stems) {
            forward(job.requestId(), new JobOutput.Stem(StemReady.newBuilder()
                    .setRequestId(job.requestId())
                    .setAccountId(job.accountId())
                    .setBatchId(job.batchId())
                    .setTaskId(job.taskId())
                    .setAudioId(job.audioId())
                    .setType(job.type())
                    .setAttempt(job.attempt())
                    .setProviderTaskId(moved.providerTaskId())
                    .setStem(s.stem())
                    .setUrl(s.url())
                    .setExpiresAt(Instant.ofEpochMilli(expires))
                    .setCompletedAt(Instant.ofEpochMilli(now))
                    .setLabels(job.labels())
                    .build()), now);
        }
        forward(job.accountId(), command(CreditCommand.Kind.CAPTURE, job, job.credits(), now), WorkOrder.followUp(now));
    }

    private void fail(final JobRecord job, final DeadLetterKind kind, final String reason, final Integer code,
                      final String sourceTopic, final long now) {
        final JobState state = kind == DeadLetterKind.TIMED_OUT ? JobState.TIMED_OUT : JobState.FAILED;
        move(job, state, reason, code, now);
        clearDeadline(job);
        final DeadLetter letter = DeadLetters.ofJob(job, kind, reason, code, sourceTopic, now);
        forward(job.requestId(), new JobOutput.Dead(letter), DeadLetterHeaders.headersOf(letter), now);
        forward(job.accountId(), command(CreditCommand.Kind.RELEASE, job, job.credits(), now), WorkOrder.followUp(now));
    }

    // ---- timeouts ---------------------------------------------------------------------------

    private void handleOverdue(final long now) {
        final List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = deadlines.range(null, deadlineKey(now, "\uffff"))) {
            it.forEachRemaining(due::add);
        }
        for (final KeyValue<String, String> entry : due) {
            deadlines.delete(entry.key);
            final JobRecord job = jobs.get(entry.value);
            if (job == null || !entry.key.equals(deadlineKey(job.deadline(), job.requestId()))
                    || (job.state() != JobState.SUBMITTED && job.state() != JobState.RECONCILING)) {
                continue;
            }
            if (job.reconciliations() < config.maxReconciliations()) {
                metrics.count(Event.RECONCILIATION);
                final int n = job.reconciliations() + 1;
                forward(job.requestId(), reconcile(job.requestId(), job.attempt(), job.providerTaskId(), n,
                        Instant.ofEpochMilli(job.submittedAt()), Instant.ofEpochMilli(now)), now);
                final JobRecord waiting = job.withDeadline(now + config.reconcileInterval().toMillis(), n);
                move(waiting, JobState.RECONCILING, "no result after " + Duration.ofMillis(now - job.submittedAt())
                        + ": reconciliation " + n + " of " + config.maxReconciliations(), null, now);
                setDeadline(jobs.get(job.requestId()));
            } else {
                metrics.count(Event.TIMED_OUT);
                fail(job, DeadLetterKind.TIMED_OUT, "no result after " + Duration.ofMillis(now - job.submittedAt())
                        + " and " + job.reconciliations() + " reconciliations", null, TopicNames.RECONCILE, now);
            }
        }
    }

    private void setDeadline(final JobRecord job) {
        if (job.deadline() > 0) {
            deadlines.put(deadlineKey(job.deadline(), job.requestId()), job.requestId());
        }
    }

    private void clearDeadline(final JobRecord job) {
        if (job.deadline() > 0) {
            deadlines.delete(deadlineKey(job.deadline(), job.requestId()));
        }
    }

    /** Sortable index key: zero-padded epoch millis, then the requestId. */
    static String deadlineKey(final long deadline, final String requestId) {
        return SortableNumber.of(deadline) + "|" + requestId;
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Moves the job to {@code state}, stores it and emits the status event. */
    private JobRecord move(final JobRecord job, final JobState state, final String reason, final Integer code,
                           final long now) {
        final StatusEntry entry = new StatusEntry(state, job.state(), reason, code, job.providerTaskId(),
                job.attempt(), now);
        final JobRecord moved = job.moved(entry, config.historyLimit());
        jobs.put(moved.requestId(), moved);
        emitStatus(moved, entry);
        return moved;
    }

    /** A status event that changes nothing (duplicate, refusal): state equals previousState. */
    private void note(final JobRecord job, final String reason, final Integer code, final long now) {
        final StatusEntry entry = new StatusEntry(job.state(), job.state(), reason, code, job.providerTaskId(),
                job.attempt(), now);
        jobs.put(job.requestId(), job.moved(entry, config.historyLimit()));
        emitStatus(job, entry);
    }

    private void emitStatus(final JobRecord job, final StatusEntry e) {
        forward(job.requestId(), status(job.requestId(), job.accountId(), job.batchId(), e.attempt(),
                e.state(), e.previousState(), e.reason(), e.code(), e.providerTaskId(), Instant.ofEpochMilli(e.at()),
                job.credits()), e.at());
    }

    private void mismatch(final String requestId, final PendingResult result, final String reason, final long now) {
        LOG.warn("Result for request {} not applied: {}", requestId, reason);
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterRules.taskMismatchId(requestId, result.providerTaskId()))
                .setKind(DeadLetterKind.TASK_MISMATCH)
                .setReason(reason)
                .setCode(result.code())
                .setRequestId(requestId)
                .setSourceTopic(TopicNames.RESULTS)
                .setFailedAt(Instant.ofEpochMilli(now))
                .build();
        forward(requestId, new JobOutput.Dead(letter), DeadLetterHeaders.headersOf(letter), now);
    }

    private void deadLetterInvalid(final String key, final SeparationRequest request, final String reason,
                                   final Origin origin, final long now) {
        LOG.warn("Request {} refused: {}", origin.id(), reason);
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterKind.INVALID_REQUEST.name() + "/" + origin.id())
                .setKind(DeadLetterKind.INVALID_REQUEST)
                .setReason(reason)
                .setRequestId(blankToNull(request.getRequestId()))
                .setAccountId(blankToNull(request.getAccountId()))
                .setBatchId(request.getBatchId())
                .setAttempt(request.getAttempt())
                .setRequest(request)
                .setSourceTopic(origin.topic())
                .setSourcePartition(origin.partition())
                .setSourceOffset(origin.offset())
                .setFailedAt(Instant.ofEpochMilli(now))
                .build();
        forward(key, new JobOutput.Dead(letter), DeadLetterHeaders.headersOf(letter), now);
    }

    private static String blankToNull(final String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A credit command: a RESERVE in the lane of the job's class, anything else in the fast lane. */
    private static JobOutput command(final CreditCommand.Kind kind, final JobRecord job, final long credits,
                                     final long at) {
        return new JobOutput.Command(new CreditCommand(kind, job.accountId(), job.requestId(), job.attempt(), credits,
                at, job.batchId(), null), kind == CreditCommand.Kind.RESERVE ? job.priority() : Priority.INTERACTIVE);
    }

    private static JobOutput settled(final String requestId, final int attempt) {
        return new JobOutput.Queue(new QueueEvent.Settled(requestId, attempt), Priority.INTERACTIVE);
    }

    private static JobOutput reconcile(final String requestId, final int attempt, final String providerTaskId,
                                       final int reconciliation, final Instant submittedAt, final Instant requestedAt) {
        return new JobOutput.Reconcile(new ReconcileRequest(requestId, attempt, providerTaskId, reconciliation,
                submittedAt, requestedAt));
    }

    private static JobOutput status(final String requestId, final String accountId, final String batchId,
                                    final int attempt, final JobState state, final JobState previousState,
                                    final String reason, final Integer code, final String providerTaskId,
                                    final Instant at, final Long credits) {
        return new JobOutput.Status(new JobStatus(requestId, accountId, batchId, attempt, state, previousState, reason,
                code, providerTaskId, at, credits));
    }

    private void forward(final String key, final JobOutput value, final long timestamp) {
        forward(key, value, new RecordHeaders(), timestamp);
    }

    private void forward(final String key, final JobOutput value, final Headers headers, final long timestamp) {
        context.forward(new Record<>(key, value, timestamp, headers));
    }
}
