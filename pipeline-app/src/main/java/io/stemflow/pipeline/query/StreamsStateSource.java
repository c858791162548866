package io.stemflow.pipeline.query;

import io.stemflow.pipeline.topology.AccountState;
import io.stemflow.pipeline.topology.BatchTally;
import io.stemflow.pipeline.topology.QueueSummary;
import io.stemflow.pipeline.topology.JobRecord;
import io.stemflow.pipeline.topology.StoreNames;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries over a {@link KafkaStreams} instance, active tasks only (no stale reads from
 * standbys or restoring tasks).
 *
 * <p>All three stores are read as plain key-value stores: job-states and credit-balances are plain
 * ones, and batch-counts (a DSL aggregate, timestamped underneath) is accepted by
 * {@link QueryableStoreTypes#keyValueStore()}, which unwraps the timestamp.
 */
final class StreamsStateSource implements StateSource {

    private static final Serializer<String> KEYS = Serdes.String().serializer();

    private final KafkaStreams streams;

    StreamsStateSource(final KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public KeyOwner ownerOf(final String store, final String key) {
        final KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, KEYS);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw new StoreUnavailableException("store " + store + " cannot be queried while Kafka Streams is "
                    + streams.state(), e);
        }
        if (metadata == null) {
            throw new IllegalStateException("store " + store + " is not part of the topology");
        }
        if (KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
                || HostInfo.unavailable().equals(metadata.activeHost())) {
            throw new StoreUnavailableException("no instance holds the partition of store " + store
                    + " for this key yet (Kafka Streams is " + streams.state() + ")");
        }
        return new KeyOwner(metadata.activeHost(), metadata.partition());
    }

    @Override
    public Set<HostInfo> hostsOf(final String store) {
        final Set<HostInfo> hosts = new LinkedHashSet<>();
        try {
            for (final StreamsMetadata m : streams.streamsMetadataForStore(store)) {
                if (m.hostInfo() != null && !HostInfo.unavailable().equals(m.hostInfo())) {
                    hosts.add(m.hostInfo());
                }
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw new StoreUnavailableException("instances of store " + store + " are unknown while Kafka Streams is "
                    + streams.state(), e);
        }
        return hosts;
    }

    @Override
    public Optional<JobRecord> job(final String requestId, final int partition) {
        return get(StoreNames.JOB_STATES, requestId, partition);
    }

    @Override
    public Optional<AccountState> account(final String accountId, final int partition) {
        return get(StoreNames.CREDIT_BALANCES, accountId, partition);
    }

    @Override
    public Optional<BatchTally> batch(final String batchId, final int partition) {
        return get(StoreNames.BATCH_COUNTS, batchId, partition);
    }

    @Override
    public QueueSummary queues() {
        try {
            return QueueSummary.read(local(StoreNames.QUEUE_LANES), local(StoreNames.QUEUE_CONTROLS),
                    local(StoreNames.QUEUE_SHARES), local(StoreNames.QUEUE_META));
        } catch (InvalidStateStoreException e) {
            throw new StoreUnavailableException("the scheduler's stores cannot be read on this instance now (Kafka "
                    + "Streams is " + streams.state() + ")", e);
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> local(final String storeName) {
        return streams.store(StoreQueryParameters.fromNameAndType(storeName,
                QueryableStoreTypes.<String, V>keyValueStore()).withPartition(0));
    }

    @Override
    public List<AccountState> localAccounts() {
        final List<AccountState> accounts = new ArrayList<>();
        localRows(StoreNames.CREDIT_BALANCES, (String id, AccountState account) -> accounts.add(account));
        return accounts;
    }

    @Override
    public Map<String, BatchTally> localBatches() {
        final Map<String, BatchTally> batches = new TreeMap<>();
        localRows(StoreNames.BATCH_COUNTS, batches::put);
        return batches;
    }

    /** Every row of this instance's partitions of {@code storeName}. */
    private <V> void localRows(final String storeName, final BiConsumer<String, V> row) {
        try {
            final ReadOnlyKeyValueStore<String, V> store = streams.store(
                    StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore()));
            try (KeyValueIterator<String, V> all = store.all()) {
                while (all.hasNext()) {
                    final KeyValue<String, V> next = all.next();
                    if (next.value != null) {
                        row.accept(next.key, next.value);
                    }
                }
            }
        } catch (InvalidStateStoreException e) {
            throw new StoreUnavailableException("store " + storeName
                    + " cannot be read on this instance now (Kafka Streams is " + streams.state() + ")", e);
        }
    }

    private <V> Optional<V> get(final String storeName, final String key, final int partition) {
        try {
            final ReadOnlyKeyValueStore<String, V> store = streams.store(
                    StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore())
                            .withPartition(partition));
            return Optional.ofNullable(store.get(key));
        } catch (InvalidStateStoreException e) {
            throw new StoreUnavailableException("partition " + partition + " of store " + storeName
                    + " cannot be read on this instance now (Kafka Streams is " + streams.state() + ")", e);
        }
    }
}
