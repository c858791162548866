package io.stemflow.gateway;

import io.github.resilience4j.retry.Retry;
import io.stemflow.gateway.provider.ProviderReply;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * One consumed record on its way to an outcome. Owned by the loop thread: no field is touched elsewhere.
 *
 * @param <V> the decoded value
 */
final class Job<V> {

    enum State {
        /** Waiting for its (next) call. */
        QUEUED,
        /** A call is at the provider. */
        CALLING,
        /** Outputs known; waits until every earlier job of its partition is done, then committed. */
        DONE,
        /** Dropped (partition revoked or transaction rewound) while its call was out: its reply is ignored. */
        ABANDONED
    }

    final TopicPartition partition;
    final long offset;
    final long sequence;
    /** Dispatch class among never-started jobs, lower first ({@link JobHandler.Accept#rank}). */
    final int rank;
    final String key;
    final V value;
    /** The record's raw value (null for a tombstone), for a dead letter if handling it throws. */
    final byte[] raw;

    State state = State.QUEUED;
    /** At least one provider call was made for it: counts against the in-flight window until committed. */
    boolean started;
    /** Provider calls made for it (every try, also refused ones). */
    int calls;
    /** Not to be called before this nano time (a retry's backoff). */
    long notBefore;
    /** Nano time it was first refused a rate permit, 0 when not waiting. */
    long waitingSince;
    List<Output<?>> outputs = List.of();
    /** Resilience4j retry state for 500s, timeouts and connection errors; created on the first one. */
    Retry.AsyncContext<ProviderReply<?>> retry;

    Job(final TopicPartition partition, final long offset, final long sequence, final int rank, final String key,
        final V value, final byte[] raw) {
        this.partition = partition;
        this.offset = offset;
        this.sequence = sequence;
        this.rank = rank;
        this.key = key;
        this.value = value;
        this.raw = raw;
    }

    V value() {
        return value;
    }

    int calls() {
        return calls;
    }

    @Override
    public String toString() {
        return "Job[" + partition + "@" + offset + ", key=" + key + ", " + state + ", calls=" + calls + "]";
    }
}
