package io.stemflow.gateway;

import io.github.resilience4j.retry.Retry;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.gateway.provider.RecordInfo;
import io.stemflow.schemas.Topic;
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

    private final PolledIntake<ReconcileRequest> intake;
    private final Topic<String, SeparationResult> results;
    private final ProviderClient client;
    private final Retry retry;
    private final Clock clock;
    private final GatewayMetrics metrics;

    ReconcileHandler(final Deserializer<ReconcileRequest> deserializer, final Topic<String, SeparationResult> results,
                     final GatewayDeadLetters deadLetters, final ProviderClient client, final Retry retry, final Clock clock,
                     final GatewayMetrics metrics) {
        this.intake = new PolledIntake<>("Reconcile", deserializer, deadLetters, ReconcileRequest::getRequestId,
                ReconcileRequest::getAttempt, InputRules::reconcileProblem, () -> metrics.keyless(ROLE));
        this.results = Objects.requireNonNull(results, "results");
        this.client = Objects.requireNonNull(client, "client");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public Endpoint endpoint() {
        return Endpoint.RECORD_INFO;
    }

    /** The rules of {@link PolledIntake}. */
    @Override
    public Intake<ReconcileRequest> decode(final ConsumerRecord<String, byte[]> record) {
        return intake.decode(record);
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
