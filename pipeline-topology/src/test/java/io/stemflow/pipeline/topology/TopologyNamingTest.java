package io.stemflow.pipeline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Guards the names that outlive a deployment: stores (their changelogs), repartition topics and
 * the topics the topology reads and writes. Renaming any of them loses state or data: if this
 * test fails, the change needs a migration plan, not a new expected name.
 */
class TopologyNamingTest {

    private static Topology topology() {
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        final Topics topics = Topics.create(registry, Map.of());
        return PipelineTopology.build(TopologyConfig.defaults(), topics, TopologyMetrics.inMemory());
    }

    @Test
    void shouldKeepEveryStoreNameWhenTheTopologyIsBuilt() {
        // when
        final Set<String> stores = new TreeSet<>();
        final Set<String> sources = new TreeSet<>();
        final Set<String> sinks = new TreeSet<>();
        for (final TopologyDescription.Subtopology sub : topology().describe().subtopologies()) {
            for (final TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Processor p) {
                    stores.addAll(p.stores());
                } else if (node instanceof TopologyDescription.Source s) {
                    sources.addAll(s.topicSet());
                } else if (node instanceof TopologyDescription.Sink s) {
                    sinks.add(s.topic());
                }
            }
        }

        // then
        assertThat(stores).containsExactlyInAnyOrder(StoreNames.JOB_STATES, StoreNames.JOB_DEADLINES,
                StoreNames.CREDIT_BALANCES, StoreNames.CREDIT_RESERVATIONS, StoreNames.THROTTLED_JOBS,
                StoreNames.CREDIT_GRANT_IDS, StoreNames.CREDIT_CANCELS, StoreNames.BATCH_COUNTS, StoreNames.QUEUE_JOBS,
                StoreNames.QUEUE_LANES,
                StoreNames.QUEUE_CONTROLS, StoreNames.QUEUE_SHARES, StoreNames.QUEUE_HANDED, StoreNames.QUEUE_META,
                StoreNames.QUEUE_SWEEPS);
        assertThat(sources).containsExactlyInAnyOrder(TopicNames.REQUESTS, TopicNames.SUBMISSIONS, TopicNames.RESULTS,
                TopicNames.JOB_DECISIONS, TopicNames.CREDIT_GRANTS, TopicNames.CREDIT_COMMANDS, TopicNames.STATUS,
                TopicNames.CONTROL, TopicNames.ACCOUNT_SHARES, TopicNames.JOB_QUEUE, TopicNames.JOB_SCHEDULE,
                TopicNames.REQUESTS_BULK, TopicNames.CREDIT_COMMANDS_NORMAL, TopicNames.CREDIT_COMMANDS_BULK,
                TopicNames.JOB_QUEUE_NORMAL, TopicNames.JOB_QUEUE_BULK, "requests-bulk-intake-by-id-repartition",
                "batch-status-repartition", "requests-by-id-repartition", "grants-by-account-repartition",
                "requests-interactive-by-id-repartition", "requests-bulk-by-id-repartition",
                "submissions-by-id-repartition", "results-by-id-repartition");
        assertThat(sinks).containsExactlyInAnyOrder(TopicNames.ADMITTED, TopicNames.STATUS, TopicNames.STEMS,
                TopicNames.DLQ, TopicNames.RECONCILE, TopicNames.CREDIT_COMMANDS, TopicNames.CREDIT_LEDGER,
                TopicNames.CREDIT_BALANCES, TopicNames.JOB_DECISIONS, TopicNames.JOB_QUEUE, TopicNames.JOB_SCHEDULE,
                TopicNames.CREDIT_COMMANDS_NORMAL, TopicNames.CREDIT_COMMANDS_BULK, TopicNames.JOB_QUEUE_NORMAL,
                TopicNames.JOB_QUEUE_BULK, "requests-bulk-intake-by-id-repartition", "batch-status-repartition", "requests-by-id-repartition", "grants-by-account-repartition",
                "requests-interactive-by-id-repartition", "requests-bulk-by-id-repartition",
                "submissions-by-id-repartition", "results-by-id-repartition");
    }

    @Test
    void shouldNameEveryProcessorExplicitlyWhenTheTopologyIsBuilt() {
        // then no node carries a generated name such as KSTREAM-MAPVALUES-0000000003
        for (final TopologyDescription.Subtopology sub : topology().describe().subtopologies()) {
            for (final TopologyDescription.Node node : sub.nodes()) {
                assertThat(node.name()).as("node name").doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
            }
        }
    }
}
