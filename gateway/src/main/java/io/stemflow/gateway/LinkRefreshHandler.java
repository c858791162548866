package io.stemflow.gateway;

import io.github.resilience4j.retry.Retry;
import io.stemflow.avro.LinkOutcome;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.StemUrl;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.gateway.provider.RecordInfo;
import io.stemflow.schemas.Topic;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fresh links for the archiver: for each {@link LinkRefreshRequest} (stems whose links expired before they were
 * copied), one record-info call through the shared gate, so the archiver's lookups count against the one provider
 * limit like every other call. Every request read gets exactly one {@link StemLinks} answer on
 * {@code separation-links}, committed with its offset:
 * <ul>
 *   <li>FRESH: the task succeeded; every stem it lists now, with its (newly signed) link;</li>
 *   <li>GONE: the provider refused the lookup (it no longer knows the task: 400 and other 4xx), or the task is not
 *       a success: its stems cannot be had any more;</li>
 *   <li>UNAVAILABLE: retries used up (5xx, timeouts, out of credits), or the task reads as still pending: the
 *       archiver may ask again later.</li>
 * </ul>
 * Throttling and maintenance hold the job like any other (the gate); a bad record is dead-lettered as the
 * reconciler's are. Log lines never carry a link: a link is a capability.
 */
final class LinkRefreshHandler implements JobHandler<LinkRefreshRequest> {

    static final String KIND = "link-refresh";
    private static final Logger LOG = LoggerFactory.getLogger(LinkRefreshHandler.class);

    private final PolledIntake<LinkRefreshRequest> intake;
    private final Topic<String, StemLinks> links;
    private final ProviderClient client;
    private final Retry retry;
    private final Clock clock;
    private final GatewayMetrics metrics;

    LinkRefreshHandler(final Deserializer<LinkRefreshRequest> deserializer, final Topic<String, StemLinks> links,
                       final GatewayDeadLetters deadLetters, final ProviderClient client, final Retry retry,
                       final Clock clock, final GatewayMetrics metrics) {
        this.intake = new PolledIntake<>("Link refresh", deserializer, deadLetters, LinkRefreshRequest::getRequestId,
                LinkRefreshRequest::getAttempt, InputRules::linkRefreshProblem,
                () -> metrics.keyless(ReconcileHandler.ROLE));
        this.links = Objects.requireNonNull(links, "links");
        this.client = Objects.requireNonNull(client, "client");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public Endpoint endpoint() {
        return Endpoint.RECORD_INFO;
    }

    /** The rules of {@link PolledIntake}, as for late jobs. */
    @Override
    public Intake<LinkRefreshRequest> decode(final ConsumerRecord<String, byte[]> record) {
        return intake.decode(record);
    }

    @Override
    public boolean mayStart(final Job<LinkRefreshRequest> next, final long now) {
        return true;
    }

    @Override
    public ProviderReply<?> call(final LinkRefreshRequest request) {
        return client.recordInfo(request.getProviderTaskId());
    }

    @Override
    public Step onReply(final Job<LinkRefreshRequest> job, final ProviderReply<?> reply, final long now) {
        final LinkRefreshRequest request = job.value();
        switch (ReplyKind.of(reply)) {
            case OK -> {
                RetryPolicy.succeeded(job);
                final RecordInfo info = (RecordInfo) ((ProviderReply.Ok<?>) reply).data();
                if (!info.state().finished()) {
                    return answer(request, LinkOutcome.UNAVAILABLE, List.of(), null,
                            "the provider reads the task as " + info.rawFlag() + ", not finished");
                }
                if (!info.state().succeeded()) {
                    return answer(request, LinkOutcome.GONE, List.of(), info.errorCode().isPresent()
                            ? info.errorCode().getAsInt() : null, "the provider reads the task as " + info.rawFlag());
                }
                final List<StemUrl> fresh = new ArrayList<>();
                info.stems().forEach((stem, url) -> fresh.add(new StemUrl(stem, url)));
                return answer(request, LinkOutcome.FRESH, fresh, null, null);
            }
            case REJECTED -> {
                return answer(request, LinkOutcome.GONE, List.of(), reply.code(),
                        "the provider no longer has the task: " + reply.codeLabel() + " " + reply.message());
            }
            case NO_CREDITS, TRANSIENT -> {
                final long wait = RetryPolicy.onTransient(job, retry, reply);
                if (wait >= 0) {
                    return new RetryAfter(wait);
                }
                return answer(request, LinkOutcome.UNAVAILABLE, List.of(), reply.code() > 0 ? reply.code() : null,
                        "record-info gave up after " + job.calls() + " calls: " + reply.codeLabel() + " "
                                + reply.message());
            }
            default -> {
                return new Requeue();
            }
        }
    }

    private Done answer(final LinkRefreshRequest request, final LinkOutcome outcome, final List<StemUrl> fresh,
                        final Integer code, final String reason) {
        if (outcome == LinkOutcome.FRESH) {
            LOG.info("Job {} (task {}): {} fresh links for refresh {}", request.getRequestId(),
                    request.getProviderTaskId(), fresh.size(), request.getRefresh());
        } else {
            LOG.warn("Job {} (task {}): links {} for refresh {}: {}", request.getRequestId(),
                    request.getProviderTaskId(), outcome, request.getRefresh(), reason);
        }
        metrics.linksRefreshed(outcome.name().toLowerCase(java.util.Locale.ROOT));
        final StemLinks answer = StemLinks.newBuilder()
                .setRequest(request)
                .setOutcome(outcome)
                .setLinks(fresh)
                .setCode(code)
                .setReason(reason)
                .setAnsweredAt(clock.instant())
                .build();
        return new Done(List.of(new Output<>(links, request.getRequestId(), answer)));
    }
}
