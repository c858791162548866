package io.stemflow.gateway;

import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The reconciler loop's handler: it reads two topics whose jobs are both one record-info call, late jobs
 * ({@code separation-reconcile}, {@link ReconcileHandler}) and the archiver's link refreshes
 * ({@code separation-link-refresh}, {@link LinkRefreshHandler}), and hands each record to the handler of its topic.
 * One loop, so both share its window of calls and its place behind the gate.
 */
final class RecordInfoHandler implements JobHandler<SpecificRecord> {

    private final String linkRefreshTopic;
    private final ReconcileHandler reconcile;
    private final LinkRefreshHandler refresh;

    RecordInfoHandler(final String linkRefreshTopic, final ReconcileHandler reconcile,
                      final LinkRefreshHandler refresh) {
        this.linkRefreshTopic = Objects.requireNonNull(linkRefreshTopic, "linkRefreshTopic");
        this.reconcile = Objects.requireNonNull(reconcile, "reconcile");
        this.refresh = Objects.requireNonNull(refresh, "refresh");
    }

    @Override
    public Endpoint endpoint() {
        return Endpoint.RECORD_INFO;
    }

    @Override
    public Intake<SpecificRecord> decode(final ConsumerRecord<String, byte[]> record) {
        return linkRefreshTopic.equals(record.topic()) ? widen(refresh.decode(record))
                : widen(reconcile.decode(record));
    }

    private static <V extends SpecificRecord> Intake<SpecificRecord> widen(final Intake<V> intake) {
        if (intake instanceof Accept<V> accept) {
            return new Accept<>(accept.value(), accept.rank());
        }
        if (intake instanceof Immediate<V> immediate) {
            return new Immediate<>(immediate.outputs());
        }
        return new Stall<>(((Stall<V>) intake).cause());
    }

    @Override
    public boolean mayStart(final Job<SpecificRecord> next, final long now) {
        return next.value() instanceof LinkRefreshRequest ? refresh.mayStart(narrow(next), now)
                : reconcile.mayStart(narrow(next), now);
    }

    @Override
    public ProviderReply<?> call(final SpecificRecord value) {
        return value instanceof LinkRefreshRequest request ? refresh.call(request)
                : reconcile.call((ReconcileRequest) value);
    }

    @Override
    public Step onReply(final Job<SpecificRecord> job, final ProviderReply<?> reply, final long now) {
        return job.value() instanceof LinkRefreshRequest ? refresh.onReply(narrow(job), reply, now)
                : reconcile.onReply(narrow(job), reply, now);
    }

    /** The job as its own handler's: the value's class was checked by the caller (or decided by its topic). */
    @SuppressWarnings("unchecked")
    private static <V> Job<V> narrow(final Job<SpecificRecord> job) {
        return (Job<V>) (Job<?>) job;
    }
}
