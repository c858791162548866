package io.stemflow.pipeline.query;

import io.stemflow.pipeline.topology.AccountState;
import io.stemflow.pipeline.topology.BatchTally;
import io.stemflow.pipeline.topology.QueueSummary;
import io.stemflow.pipeline.topology.JobRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A map-backed {@link StateSource} (a fake of Kafka Streams, not of the class under test): the
 * test decides who owns which key, which instances hold the credit store, and the state.
 */
final class MapStateSource implements StateSource {

    final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
    final Map<String, AccountState> accounts = new ConcurrentHashMap<>();
    final Map<String, BatchTally> batches = new ConcurrentHashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    volatile QueueSummary queues = new QueueSummary(20, 0, 0, List.of(), List.of());
    private volatile KafkaStreams.State state = KafkaStreams.State.RUNNING;
    private volatile Function<String, HostInfo> owners = key -> null;
    private volatile Set<HostInfo> hosts = Set.of();
    private volatile String unavailable;

    void state(final KafkaStreams.State newState) {
        this.state = newState;
    }

    /** Who holds each key (of every store). */
    void owners(final Function<String, HostInfo> newOwners) {
        this.owners = newOwners;
    }

    void hosts(final Set<HostInfo> newHosts) {
        this.hosts = Set.copyOf(newHosts);
    }

    /** Makes every lookup fail as when the stores are rebalancing; null to heal. */
    void unavailable(final String reason) {
        this.unavailable = reason;
    }

    @Override
    public KafkaStreams.State state() {
        return state;
    }

    @Override
    public KeyOwner ownerOf(final String store, final String key) {
        check();
        return new KeyOwner(owners.apply(key), 0);
    }

    @Override
    public Set<HostInfo> hostsOf(final String store) {
        check();
        return hosts;
    }

    @Override
    public Optional<JobRecord> job(final String requestId, final int partition) {
        check();
        reads.incrementAndGet();
        return Optional.ofNullable(jobs.get(requestId));
    }

    @Override
    public Optional<AccountState> account(final String accountId, final int partition) {
        check();
        reads.incrementAndGet();
        return Optional.ofNullable(accounts.get(accountId));
    }

    @Override
    public Optional<BatchTally> batch(final String batchId, final int partition) {
        check();
        reads.incrementAndGet();
        return Optional.ofNullable(batches.get(batchId));
    }

    @Override
    public QueueSummary queues() {
        check();
        return queues;
    }

    @Override
    public List<AccountState> localAccounts() {
        check();
        return List.copyOf(accounts.values());
    }

    @Override
    public Map<String, BatchTally> localBatches() {
        check();
        return new java.util.TreeMap<>(batches);
    }

    private void check() {
        final String reason = unavailable;
        if (reason != null) {
            throw new StoreUnavailableException(reason);
        }
    }
}
