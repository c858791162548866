package io.stemflow.gateway;

import io.github.resilience4j.retry.Retry;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.gateway.provider.RecordInfo;
import io.stemflow.schemas.Topic;
import io.stemflow.serde.AvroSerdeException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciler: for each {@link ReconcileRequest} (a job whose callback is late), one record-info call through
 * the shared gate. A finished task's result goes to {@code separation-results} exactly as a callback would put it
 * (marked POLL); a pending task writes nothing and goes back to waiting (the topology asks again later). A task
 * the provider does not know (400), or retries used up, also writes nothing: the topology's timeout handles it.
 */
final class ReconcileHandler implements JobHandler<ReconcileRequest> {

    static final String ROLE = "reconciler";
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileHandler.class);

    private final Deserializer<ReconcileRequest> deserializer;
    private final Topic<String, SeparationResult> results;
    private final GatewayDeadLetters deadLetters;
    private final ProviderClient client;
    private final Retry retry;
    private final Clock clock;
    private final GatewayMetrics metrics;

    ReconcileHandler(final Deserializer<ReconcileRequest> deserializer, final Topic<String, SeparationResult> results,
                     final GatewayDeadLetters deadLetters, final ProviderClient client, final Retry retry, final Clock clock,
                     final GatewayMetrics metrics) {
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.results = Objects.requireNonNull(results, "results");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.client = Objects.requireNonNull(client, "client");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public Endpoint endpoint() {
        return Endpoint.RECORD_INFO;
    }

    /**
     * The rules of docs/integration.md, "Bad records on the gateway's inputs": a tombstone, a key that disagrees
     * with the value, an invalid id or count is dead-lettered (INVALID_RECORD), bytes that do not decode too
     * (CORRUPT_RECORD); nothing else is written for them (the topology's own timeout ends such a job). A registry
     * outage stalls the partition.
     */
    @Override
    public Intake<ReconcileRequest> decode(final ConsumerRecord<String, byte[]> record) {
        final GatewayDeadLetters.Source source = GatewayDeadLetters.Source.of(record);
        if (record.value() == null) {
            return unusable(source, deadLetters.invalid(source, "tombstone: a null value names no job", null, null));
        }
        final ReconcileRequest request;
        try {
            request = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (AvroSerdeException e) {
            if (!e.isRecordFault()) {
                return new Stall<>(e);
            }
            return unusable(source, deadLetters.corrupt(source, e,
                    InputRules.validId(record.key()) ? record.key() : null));
        }
        final Optional<String> identity = InputRules.identityProblem(record.key(), request.getRequestId());
        if (identity.isPresent()) {
            return unusable(source, deadLetters.invalid(source, identity.get(), null, request.getAttempt()));
        }
        final Optional<String> problem = InputRules.reconcileProblem(request);
        if (problem.isPresent()) {
            return unusable(source, deadLetters.invalid(source, problem.get(), request.getRequestId(),
                    request.getAttempt()));
        }
        if (record.key() == null) {
            metrics.keyless(ROLE);
        }
        return new Accept<>(request);
    }

    private Immediate<ReconcileRequest> unusable(final GatewayDeadLetters.Source source,
                                                 final Output<DeadLetter> letter) {
        LOG.warn("Reconcile record {} dead-lettered as {}: {}", source, letter.value().getKind(),
                letter.value().getReason());
        return new Immediate<>(List.of(letter));
    }

    @Override
    public boolean mayStart(final Job<ReconcileRequest> next, final long now) {
        return true;
    }

    @Override
    public ProviderReply<?> call(final ReconcileRequest request) {
        return client.recordInfo(request.getProviderTaskId());
    }

    @Override
    public Step onReply(final Job<ReconcileRequest> job, final ProviderReply<?> reply, final long now) {
        final ReconcileRequest request = job.value();
        switch (ReplyKind.of(reply)) {
            case OK -> {
                RetryPolicy.succeeded(job);
                final RecordInfo info = (RecordInfo) ((ProviderReply.Ok<?>) reply).data();
                if (!info.taskId().equals(request.getProviderTaskId())) {
                    LOG.warn("record-info for task {} of job {} named task {}", request.getProviderTaskId(),
                            request.getRequestId(), info.taskId());
                }
                final Optional<SeparationResult> result = PolledResults.of(request, info, clock.instant());
                if (result.isEmpty()) {
                    LOG.debug("Job {} (task {}) still {}", request.getRequestId(), request.getProviderTaskId(),
                            info.rawFlag());
                    metrics.reconciled("pending");
                    return new Done(List.of());
                }
                LOG.info("Job {} (task {}) recovered by polling: {} code {}", request.getRequestId(),
                        request.getProviderTaskId(), info.rawFlag(), result.get().getCode());
                metrics.reconciled(info.state().succeeded() ? "completed" : "failed");
                return new Done(List.of(new Output<>(results, request.getRequestId(), result.get())));
            }
            case REJECTED -> {
                LOG.warn("record-info refused task {} of job {}: {} {}", request.getProviderTaskId(),
                        request.getRequestId(), reply.code(), reply.message());
                metrics.reconciled("refused");
                return new Done(List.of());
            }
            case NO_CREDITS, TRANSIENT -> {
                final long wait = RetryPolicy.onTransient(job, retry, reply);
                if (wait >= 0) {
                    return new RetryAfter(wait);
                }
                LOG.warn("record-info for task {} of job {} gave up after {} calls: {} {}",
                        request.getProviderTaskId(), request.getRequestId(), job.calls(), reply.codeLabel(),
                        reply.message());
                metrics.reconciled("gave-up");
                return new Done(List.of());
            }
            default -> {
                return new Requeue();
            }
        }
    }
}
