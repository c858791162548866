package io.stemflow.pipeline.query;

import io.stemflow.pipeline.topology.AccountState;
import io.stemflow.pipeline.topology.BatchTally;
import io.stemflow.pipeline.topology.QueueSummary;
import io.stemflow.pipeline.topology.JobRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What the query API needs from Kafka Streams: which instance holds a key, and this instance's
 * local stores. {@link StreamsStateSource} is the real one; tests can use a map-backed one to
 * exercise the HTTP layer without a broker.
 *
 * <p>Every method throws {@link StoreUnavailableException} when the answer cannot be known now.
 */
interface StateSource {

    KafkaStreams.State state();

    /** Who holds {@code key} of {@code store} (by the application's {@code application.server}). */
    KeyOwner ownerOf(String store, String key);

    /** The instances that hold at least one partition of {@code store}. */
    Set<HostInfo> hostsOf(String store);

    /** Reads this instance's partition {@code partition} of the job store. */
    Optional<JobRecord> job(String requestId, int partition);

    Optional<AccountState> account(String accountId, int partition);

    Optional<BatchTally> batch(String batchId, int partition);

    /** The scheduler's queues, when this instance runs the scheduler (its one partition). */
    QueueSummary queues();

    /** Every account in this instance's partitions of the credit store. */
    List<AccountState> localAccounts();

    /** Every batch in this instance's partitions of the batch store, by batch id. */
    Map<String, BatchTally> localBatches();
}
