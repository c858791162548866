package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.archiver.store.FileSystemStore;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the announcer's names that outlive a deployment: stores (their changelogs), repartition topics and the
 * topics it reads and writes. Renaming any of them loses state: if this test fails, the change needs a migration
 * plan, not a new expected name.
 */
class AnnounceTopologyNamingTest {

    @TempDir
    Path dir;

    private Topology topology() throws Exception {
        return BatchManifestsTest.topology(Topics.create(new InMemorySchemaRegistryClient(), Map.of()),
                new FileSystemStore(dir));
    }

    @Test
    void shouldKeepEveryStoreAndTopicNameWhenTheTopologyIsBuilt() throws Exception {
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
        assertThat(stores).containsExactlyInAnyOrder("archived-stems", "batch-stems", "batch-jobs", "batch-progress",
                "batch-manifests-due");
        assertThat(sources).containsExactlyInAnyOrder("test-outcomes", TopicNames.STATUS, TopicNames.STEMS,
                "status-by-batch-repartition", "stems-by-batch-repartition", "settled-by-batch-repartition");
        assertThat(sinks).containsExactlyInAnyOrder(TopicNames.ARCHIVED, TopicNames.DLQ, TopicNames.MANIFESTS,
                "status-by-batch-repartition", "stems-by-batch-repartition", "settled-by-batch-repartition");
    }

    @Test
    void shouldNameEveryNodeExplicitlyWhenTheTopologyIsBuilt() throws Exception {
        // then no node carries a generated name such as KSTREAM-MAPVALUES-0000000003
        for (final TopologyDescription.Subtopology sub : topology().describe().subtopologies()) {
            for (final TopologyDescription.Node node : sub.nodes()) {
                assertThat(node.name()).as("node name").doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
            }
        }
    }
}
