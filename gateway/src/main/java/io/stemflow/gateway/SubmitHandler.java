package io.stemflow.gateway;

import io.github.resilience4j.retry.Retry;
import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.GenerateCall;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.schemas.provider.ProviderVocabulary;
import io.stemflow.serde.AvroSerdeException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submitter: one generate call per admitted job (with its per-job callback URL), one
 * {@link SubmissionOutcome} per job. Among the jobs it holds and has not started, the request's priority class
 * goes first ({@link #rank}: INTERACTIVE, NORMAL, BULK). Handles the answers as the contract says:
 * <ul>
 *   <li>200: ACCEPTED with the provider task id;</li>
 *   <li>400, 413 (and other 4xx): REJECTED at once with the provider's code and message;</li>
 *   <li>429 (out of credits): stop submitting, poll the credit endpoint every {@code creditPollInterval}, resume
 *       when the balance covers the next job; no job is failed, dropped or reordered;</li>
 *   <li>430/405, 455, 401/404: back in line; the gate backs off, opens the circuit or halts;</li>
 *   <li>500, timeouts, connection errors: bounded retries with backoff, then REJECTED (the topology fails the
 *       job and releases its credits).</li>
 * </ul>
 */
final class SubmitHandler implements JobHandler<AdmittedJob> {

    static final String ROLE = "submitter";
    private static final Logger LOG = LoggerFactory.getLogger(SubmitHandler.class);

    private final Deserializer<AdmittedJob> deserializer;
    private final Topic<String, SubmissionOutcome> submissions;
    private final GatewayDeadLetters deadLetters;
    private final ProviderClient client;
    private final CallbackToken token;
    private final URI bridge;
    private final Retry retry;
    private final GatewayConfig.Costs costs;
    private final long creditPollNanos;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;

    private volatile boolean outOfCredits;
    private volatile long balance = -1;
    private volatile long needed;
    private volatile int waitingForCredits;
    private long nextCreditCheck;
    private boolean creditCheckOut;

    SubmitHandler(final Deserializer<AdmittedJob> deserializer, final Topic<String, SubmissionOutcome> submissions,
                  final GatewayDeadLetters deadLetters, final ProviderClient client, final CallbackToken token, final URI bridge, final Retry retry,
                  final GatewayConfig.Costs costs, final long creditPollNanos, final Clock clock,
                  final LongSupplier nanoTime, final GatewayMetrics metrics, final GatewayHealth health) {
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.submissions = Objects.requireNonNull(submissions, "submissions");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.client = Objects.requireNonNull(client, "client");
        this.token = Objects.requireNonNull(token, "token");
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.costs = Objects.requireNonNull(costs, "costs");
        this.creditPollNanos = creditPollNanos;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        metrics.gauge("stemflow.gateway.jobs.waiting.credits", "Jobs held back while the provider is out of credits",
                () -> outOfCredits ? waitingForCredits : 0);
        metrics.gauge("stemflow.gateway.credits.balance", "Last credit balance read from the provider (-1: unknown)",
                () -> balance);
        health.register("credits", this::creditCondition);
    }

    @Override
    public Endpoint endpoint() {
        return Endpoint.GENERATE;
    }

    /**
     * The rules of docs/integration.md, "Bad records on the gateway's inputs": a tombstone, a key that disagrees
     * with the value or an invalid requestId is dead-lettered (INVALID_RECORD); bytes that do not decode are
     * dead-lettered (CORRUPT_RECORD); a registry outage stalls the partition. When the record names a job (the
     * value's sound requestId, or the key of bytes that do not decode) it also gets a REJECTED outcome (400), so
     * a job the topology holds is failed and its credits released instead of staying reserved.
     */
    @Override
    public Intake<AdmittedJob> decode(final ConsumerRecord<String, byte[]> record) {
        final GatewayDeadLetters.Source source = GatewayDeadLetters.Source.of(record);
        if (record.value() == null) {
            return unusable(source, deadLetters.invalid(source, "tombstone: a null value names no job", null, null),
                    null);
        }
        final AdmittedJob job;
        try {
            job = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (AvroSerdeException e) {
            if (!e.isRecordFault()) {
                return new Stall<>(e);
            }
            final String named = InputRules.validId(record.key()) ? record.key() : null;
            return unusable(source, deadLetters.corrupt(source, e, named), named == null ? null
                    : outcome(named, 1, SubmissionStatus.REJECTED, null, 400,
                    "not submitted: admitted record does not decode (" + e.getClass().getSimpleName() + ")", 0));
        }
        final SeparationRequest request = job.getRequest();
        final Optional<String> identity = InputRules.identityProblem(record.key(), request.getRequestId());
        if (identity.isPresent()) {
            return unusable(source, deadLetters.invalid(source, identity.get(), null, request.getAttempt()), null);
        }
        final Optional<String> problem = InputRules.admittedProblem(job);
        if (problem.isPresent()) {
            return unusable(source, deadLetters.invalid(source, problem.get(), request.getRequestId(),
                    request.getAttempt()), outcome(request.getRequestId(), request.getAttempt(),
                    SubmissionStatus.REJECTED, null, 400, "not submitted: " + problem.get(), 0));
        }
        if (record.key() == null) {
            metrics.keyless(ROLE);
        }
        return new Accept<>(job, rank(request.getPriority()));
    }

    /**
     * The dispatch class of a priority: INTERACTIVE (a user waits) before NORMAL before BULK; UNKNOWN (a symbol
     * newer than this reader) and a missing value count as NORMAL.
     */
    static int rank(final Priority priority) {
        if (priority == null) {
            return 1;
        }
        return switch (priority) {
            case INTERACTIVE -> 0;
            case NORMAL, UNKNOWN -> 1;
            case BULK -> 2;
        };
    }

    @Override
    public boolean mayStart(final Job<AdmittedJob> next, final long now) {
        return !outOfCredits;
    }

    @Override
    public ProviderReply<?> call(final AdmittedJob job) {
        final SeparationRequest request = job.getRequest();
        return client.generate(new GenerateCall(request.getTaskId(), request.getAudioId(),
                ProviderVocabulary.providerType(request.getType()),
                token.callbackUrl(bridge, request.getRequestId())));
    }

    @Override
    public Step onReply(final Job<AdmittedJob> job, final ProviderReply<?> reply, final long now) {
        final SeparationRequest request = job.value().getRequest();
        switch (ReplyKind.of(reply)) {
            case OK -> {
                RetryPolicy.succeeded(job);
                final String taskId = (String) ((ProviderReply.Ok<?>) reply).data();
                LOG.debug("Job {} accepted as provider task {} after {} call(s)", request.getRequestId(), taskId,
                        job.calls());
                return done(job, SubmissionStatus.ACCEPTED, taskId, 200, reply.message());
            }
            case REJECTED -> {
                LOG.warn("Job {} rejected by the provider: {} {}", request.getRequestId(), reply.code(),
                        reply.message());
                return done(job, SubmissionStatus.REJECTED, null, reply.code(), reply.message());
            }
            case NO_CREDITS -> {
                pauseForCredits(now, reply);
                return new Requeue();
            }
            case TRANSIENT -> {
                final long wait = RetryPolicy.onTransient(job, retry, reply);
                if (wait >= 0) {
                    LOG.debug("Job {}: {} ({}), call {} again in {} ms", request.getRequestId(), reply.codeLabel(),
                            reply.message(), job.calls() + 1, wait / 1_000_000);
                    return new RetryAfter(wait);
                }
                final int code = reply.code() != 0 ? reply.code()
                        : reply instanceof ProviderReply.Unreachable<?> u
                        && u.failure() == ProviderReply.Failure.TIMEOUT ? 504 : 503;
                LOG.warn("Job {} rejected after {} calls: {} {}", request.getRequestId(), job.calls(),
                        reply.codeLabel(), reply.message());
                return done(job, SubmissionStatus.REJECTED, null, code,
                        "gave up after " + job.calls() + " calls: " + reply.message());
            }
            default -> {
                return new Requeue(); // THROTTLED, MAINTENANCE, CONFIG: the gate holds every call
            }
        }
    }

    @Override
    public void tick(final long now, final LoopControl<AdmittedJob> control) {
        if (!outOfCredits) {
            return;
        }
        waitingForCredits = control.waiting();
        if (creditCheckOut || now - nextCreditCheck < 0) {
            return;
        }
        if (control.sideCall(Endpoint.CREDIT, client::credit, reply -> onCredit(reply, control))) {
            creditCheckOut = true;
        }
    }

    @Override
    public long nanosUntilTick(final long now) {
        return outOfCredits && !creditCheckOut ? Math.max(0, nextCreditCheck - now) : Long.MAX_VALUE;
    }

    private void pauseForCredits(final long now, final ProviderReply<?> reply) {
        if (!outOfCredits) {
            outOfCredits = true;
            nextCreditCheck = now + creditPollNanos;
            LOG.warn("Provider is out of credits ({} {}): submissions paused, checking the balance every {} ms",
                    reply.code(), reply.message(), creditPollNanos / 1_000_000);
        }
    }

    private void onCredit(final ProviderReply<?> reply, final LoopControl<AdmittedJob> control) {
        creditCheckOut = false;
        nextCreditCheck = nanoTime.getAsLong() + creditPollNanos;
        if (!(reply instanceof ProviderReply.Ok<?> ok)) {
            LOG.warn("Credit check failed: {} {}", reply.codeLabel(), reply.message());
            return;
        }
        balance = (Long) ok.data();
        final Optional<Job<AdmittedJob>> next = control.nextQueued();
        needed = next.map(j -> costs.costOf(j.value().getRequest().getType()))
                .orElse(Math.min(costs.separateVocal(), costs.splitStem()));
        if (balance >= needed) {
            outOfCredits = false;
            LOG.warn("Provider balance {} covers the next job ({}): submissions resumed", balance, needed);
        } else {
            LOG.info("Provider balance {} does not cover the next job ({}): still paused", balance, needed);
        }
    }

    private Optional<GatewayHealth.Condition> creditCondition() {
        if (!outOfCredits) {
            return Optional.empty();
        }
        return Optional.of(new GatewayHealth.Condition(GatewayHealth.Status.DEGRADED,
                "provider out of credits (429): " + waitingForCredits + " jobs waiting"
                        + (balance < 0 ? "" : ", balance " + balance + ", next job needs " + needed)));
    }

    private Done done(final Job<AdmittedJob> job, final SubmissionStatus status, final String taskId,
                      final int code, final String message) {
        final SeparationRequest request = job.value().getRequest();
        metrics.outcome(status.name(), code);
        return new Done(List.of(outcome(request.getRequestId(), request.getAttempt(), status, taskId, code,
                message, job.calls())));
    }

    /** Done without a call: the dead letter, and the outcome of the job it names (if any). */
    private Immediate<AdmittedJob> unusable(final GatewayDeadLetters.Source source,
                                            final Output<DeadLetter> letter, final Output<SubmissionOutcome> outcome) {
        LOG.warn("Admitted record {} dead-lettered as {}: {}", source, letter.value().getKind(),
                letter.value().getReason());
        if (outcome == null) {
            return new Immediate<>(List.of(letter));
        }
        metrics.outcome(SubmissionStatus.REJECTED.name(), 400);
        return new Immediate<>(List.of(letter, outcome));
    }

    private Output<SubmissionOutcome> outcome(final String requestId, final int attempt,
                                              final SubmissionStatus status, final String taskId, final int code,
                                              final String message, final int calls) {
        return new Output<>(submissions, requestId, SubmissionOutcome.newBuilder()
                .setRequestId(requestId)
                .setAttempt(attempt)
                .setStatus(status)
                .setProviderTaskId(taskId)
                .setCode(code)
                .setMessage(message)
                .setProviderCalls(calls)
                .setSubmittedAt(clock.instant())
                .build());
    }
}
