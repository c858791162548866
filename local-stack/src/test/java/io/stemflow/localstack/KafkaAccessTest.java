package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import io.stemflow.localstack.KafkaAccess.Principal;
import io.stemflow.pipeline.topology.PipelineTopology;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import io.stemflow.testing.RepositoryFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import io.stemflow.pipeline.dashboard.DashboardFeed;
import org.junit.jupiter.api.Test;

/** The ACL table of a secured stack: the three rules, the pipeline's real topics, and the table in the docs. */
class KafkaAccessTest {

    @Test
    void shouldLetOnlyTheBridgeAndTheGatewayWriteResultsWhenTheTableIsApplied() {
        assertThat(KafkaAccess.principalsThat(WRITE, TopicNames.RESULTS)).containsExactlyInAnyOrder(Principal.BRIDGE,
                Principal.GATEWAY);
    }

    @Test
    void shouldLetOnlyThePipelineWriteTheLedgerWhenTheTableIsApplied() {
        assertThat(KafkaAccess.principalsThat(WRITE, TopicNames.CREDIT_LEDGER)).containsExactly(Principal.PIPELINE);
    }

    @Test
    void shouldLetOnlyTheOperatorWriteGrantsWhenTheTableIsApplied() {
        assertThat(KafkaAccess.principalsThat(WRITE, TopicNames.CREDIT_GRANTS)).containsExactly(Principal.OPERATOR);
    }

    @Test
    void shouldLetOnlyTheArchiverWriteArchivedStemsWhenTheTableIsApplied() {
        assertThat(KafkaAccess.principalsThat(WRITE, TopicNames.ARCHIVED)).containsExactly(Principal.ARCHIVER);
    }

    @Test
    void shouldLetOnlyTheArchiverAskForFreshLinksAndOnlyTheGatewayAnswerWhenTheTableIsApplied() {
        // then: the archiver asks, the gateway (the one rate limit on the provider) reads and answers
        assertThat(KafkaAccess.principalsThat(WRITE, TopicNames.LINK_REFRESH)).containsExactly(Principal.ARCHIVER);
        assertThat(KafkaAccess.principalsThat(READ, TopicNames.LINK_REFRESH)).containsExactly(Principal.GATEWAY);
        assertThat(KafkaAccess.principalsThat(WRITE, TopicNames.LINKS)).containsExactly(Principal.GATEWAY);
        assertThat(KafkaAccess.principalsThat(READ, TopicNames.LINKS)).containsExactly(Principal.ARCHIVER);
    }

    @Test
    void shouldLetOnlyTheArchiverWriteManifestsAndTheOperatorReadThemWhenTheTableIsApplied() {
        assertThat(KafkaAccess.principalsThat(WRITE, TopicNames.MANIFESTS)).containsExactly(Principal.ARCHIVER);
        assertThat(KafkaAccess.principalsThat(READ, TopicNames.MANIFESTS)).containsExactly(Principal.OPERATOR);
    }

    @Test
    void shouldLetTheOperatorReadWhatArchiveStatusShowsWhenTheTableIsApplied() {
        // given the topics `stemflow archive status` reads
        final Set<String> archiveStatus = Set.of(TopicNames.STEMS, TopicNames.ARCHIVED, TopicNames.DLQ,
                TopicNames.MANIFESTS);

        // then
        assertThat(archiveStatus).allSatisfy(topic -> assertThat(KafkaAccess.principalsThat(READ, topic))
                .as("read of %s", topic).contains(Principal.OPERATOR));
    }

    @Test
    void shouldGiveTheGatewayOnlyTheLinkTopicsBesidesItsJobTopicsWhenTheTableIsApplied() {
        // given the gateway's rows
        final Set<String> reads = new TreeSet<>();
        final Set<String> writes = new TreeSet<>();
        for (final String topic : TopicNames.ALL) {
            if (KafkaAccess.principalsThat(READ, topic).contains(Principal.GATEWAY)) {
                reads.add(topic);
            }
            if (KafkaAccess.principalsThat(WRITE, topic).contains(Principal.GATEWAY)) {
                writes.add(topic);
            }
        }

        // then: admitted and late jobs and link refreshes in (the reconciler's loop reads both of the latter);
        // outcomes, results, fresh links and dead letters out
        assertThat(reads).containsExactlyInAnyOrder(TopicNames.ADMITTED, TopicNames.RECONCILE,
                TopicNames.LINK_REFRESH);
        assertThat(writes).containsExactlyInAnyOrder(TopicNames.SUBMISSIONS, TopicNames.RESULTS, TopicNames.LINKS,
                TopicNames.DLQ);
    }

    @Test
    void shouldLetTheArchiverReadStemsAndWriteOnlyItsOutputsWhenTheTableIsApplied() {
        // given the archiver's rows
        final Set<String> reads = new TreeSet<>();
        final Set<String> writes = new TreeSet<>();
        for (final String topic : TopicNames.ALL) {
            if (KafkaAccess.principalsThat(READ, topic).contains(Principal.ARCHIVER)) {
                reads.add(topic);
            }
            if (KafkaAccess.principalsThat(WRITE, topic).contains(Principal.ARCHIVER)) {
                writes.add(topic);
            }
        }

        // then: stems, fresh links and job statuses in; archived stems, link refreshes, manifests and its dead
        // letters out; its own topics, groups and transactional ids by its prefix
        assertThat(reads).containsExactlyInAnyOrder(TopicNames.STEMS, TopicNames.LINKS, TopicNames.STATUS);
        assertThat(writes).containsExactlyInAnyOrder(TopicNames.ARCHIVED, TopicNames.LINK_REFRESH,
                TopicNames.MANIFESTS, TopicNames.DLQ);
        assertThat(KafkaAccess.grants()).filteredOn(g -> g.principal() == Principal.ARCHIVER
                        && g.pattern() == org.apache.kafka.common.resource.PatternType.PREFIXED)
                .extracting(g -> g.type() + " " + g.name() + " " + g.operations())
                .containsExactlyInAnyOrder("TOPIC stemflow-archiver- [CREATE, READ, WRITE, DESCRIBE_CONFIGS, DELETE]",
                        "GROUP stemflow-archiver [READ]", "TRANSACTIONAL_ID stemflow-archiver [WRITE]");
        assertThat(KafkaAccess.principalsThat(READ, TopicNames.ARCHIVED)).as("other teams read it like stems")
                .isEqualTo(KafkaAccess.principalsThat(READ, TopicNames.STEMS).stream()
                        .filter(p -> p != Principal.ARCHIVER).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void shouldGrantThePipelineEveryTopicItsTopologyReadsAndWritesWhenTheTopologyIsBuilt() {
        // given the topics the topology really reads and writes (besides what Streams makes under its id)
        final TopologyDescription description = PipelineTopology.build(TopologyConfig.defaults(),
                Topics.create(new InMemorySchemaRegistryClient(), Map.of()), TopologyMetrics.inMemory()).describe();
        final Set<String> reads = new TreeSet<>();
        final Set<String> writes = new TreeSet<>();
        for (final TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (final TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    reads.addAll(source.topicSet());
                } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                    writes.add(sink.topic());
                }
            }
        }
        for (final TopologyDescription.GlobalStore store : description.globalStores()) {
            reads.addAll(store.source().topicSet());
        }
        final String prefix = KafkaAccess.PIPELINE_APPLICATION_ID + "-";
        reads.removeIf(t -> t.startsWith(prefix) || t.endsWith("-repartition"));
        writes.removeIf(t -> t.startsWith(prefix) || t.endsWith("-repartition"));

        // then the table grants each of them, and no more topics than that
        for (final String topic : reads) {
            assertThat(KafkaAccess.principalsThat(READ, topic)).as("read of %s", topic).contains(Principal.PIPELINE);
        }
        for (final String topic : writes) {
            assertThat(KafkaAccess.principalsThat(WRITE, topic)).as("write of %s", topic).contains(Principal.PIPELINE);
        }
        final Set<String> granted = new TreeSet<>();
        KafkaAccess.grants().stream().filter(g -> g.principal() == Principal.PIPELINE)
                .filter(g -> g.type() == org.apache.kafka.common.resource.ResourceType.TOPIC)
                .filter(g -> g.pattern() == org.apache.kafka.common.resource.PatternType.LITERAL)
                .forEach(g -> granted.add(g.name()));
        // and the dashboard's: its feed reads, its buttons write control commands
        for (final String topic : DashboardFeed.TOPICS) {
            assertThat(KafkaAccess.principalsThat(READ, topic)).as("read of %s", topic).contains(Principal.PIPELINE);
        }
        for (final String topic : List.of(TopicNames.CONTROL, TopicNames.REQUESTS)) {
            assertThat(KafkaAccess.principalsThat(WRITE, topic)).as("write of %s", topic).contains(Principal.PIPELINE);
        }
        final Set<String> used = new TreeSet<>(reads);
        used.addAll(writes);
        used.addAll(DashboardFeed.TOPICS);
        used.add(TopicNames.CONTROL);
        assertThat(granted).as("topics granted to the pipeline").isEqualTo(used);
    }

    @Test
    void shouldPrintTheTableInTheArchitectureDocWhenTheTableChanges() throws IOException {
        final String doc = Files.readString(RepositoryFiles.root().resolve("docs/ARCHITECTURE.md"));
        assertThat(doc).as("docs/ARCHITECTURE.md carries KafkaAccess.markdown() verbatim").contains(KafkaAccess.markdown());
    }
}
