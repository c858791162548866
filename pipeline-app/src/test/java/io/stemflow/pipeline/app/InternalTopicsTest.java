package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.pipeline.topology.PipelineTopology;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class InternalTopicsTest {

    private static TopologyDescription description() {
        final Topics topics = Topics.create(new InMemorySchemaRegistryClient(), Map.of());
        return PipelineTopology.build(TopologyConfig.defaults(), topics, TopologyMetrics.inMemory()).describe();
    }

    @Test
    void shouldListEveryRepartitionTopicAndChangelogWithTheInputsPartitionsWhenTheTopologyIsDescribed() {
        // when
        final List<NewTopic> topics = InternalTopics.of(description(), "app",
                t -> TopicNames.schedulerInput(t) ? 1 : 6, (short) 1);

        // then
        final List<String> scheduler = List.of("app-queue-jobs-changelog", "app-queue-lanes-changelog",
                "app-queue-controls-changelog", "app-queue-shares-changelog", "app-queue-handed-changelog",
                "app-queue-meta-changelog", "app-queue-sweeps-changelog");
        final List<String> jobSide = List.of(
                "app-requests-by-id-repartition", "app-requests-interactive-by-id-repartition",
                "app-requests-bulk-by-id-repartition", "app-requests-bulk-intake-by-id-repartition",
                "app-submissions-by-id-repartition",
                "app-results-by-id-repartition", "app-grants-by-account-repartition", "app-batch-status-repartition",
                "app-job-states-changelog", "app-job-deadlines-changelog", "app-credit-balances-changelog",
                "app-credit-reservations-changelog", "app-throttled-jobs-changelog", "app-credit-grant-ids-changelog",
                "app-credit-cancels-changelog",
                "app-batch-counts-changelog");
        assertThat(topics).extracting(NewTopic::name)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(jobSide.stream(),
                        scheduler.stream()).toList());
        assertThat(topics).allSatisfy(t -> {
            // the scheduler's stores follow its one-partition input
            assertThat(t.numPartitions()).as(t.name()).isEqualTo(scheduler.contains(t.name()) ? 1 : 6);
            assertThat(t.replicationFactor()).isEqualTo((short) 1);
        });
        final Map<String, String> policies = topics.stream().collect(Collectors.toMap(NewTopic::name,
                t -> t.configs().get("cleanup.policy")));
        assertThat(policies).containsEntry("app-job-states-changelog", "compact")
                .containsEntry("app-requests-by-id-repartition", "delete");
    }

    @Test
    void shouldTakeTheWidestInputOfASubtopologyWhenItsInputsDiffer() {
        // given separation-status has 8 partitions, everything else 3
        final List<NewTopic> topics = InternalTopics.of(description(), "app",
                t -> t.equals(TopicNames.STATUS) ? 8 : 3, (short) 1);

        // then the batch-count path follows the status topic, the job path the others
        final Map<String, Integer> partitions = topics.stream().collect(Collectors.toMap(NewTopic::name,
                NewTopic::numPartitions));
        assertThat(partitions).containsEntry("app-batch-status-repartition", 8)
                .containsEntry("app-batch-counts-changelog", 8)
                .containsEntry("app-job-states-changelog", 3)
                .containsEntry("app-requests-by-id-repartition", 3);
    }

    @Test
    void shouldNameTheCatalogueTopicsAsInputsButNotItsOwnRepartitionTopicsWhenAskedWhatItReads() {
        // then the partition counts to look up are those of the topics it does not create
        assertThat(InternalTopics.inputTopics(description())).containsExactlyInAnyOrder(TopicNames.REQUESTS,
                TopicNames.SUBMISSIONS, TopicNames.RESULTS, TopicNames.JOB_DECISIONS, TopicNames.CREDIT_GRANTS,
                TopicNames.CREDIT_COMMANDS, TopicNames.STATUS, TopicNames.CONTROL, TopicNames.ACCOUNT_SHARES,
                TopicNames.JOB_QUEUE, TopicNames.JOB_SCHEDULE, TopicNames.REQUESTS_BULK,
                TopicNames.CREDIT_COMMANDS_NORMAL, TopicNames.CREDIT_COMMANDS_BULK, TopicNames.JOB_QUEUE_NORMAL,
                TopicNames.JOB_QUEUE_BULK);
    }

    @Test
    void shouldNameTheGapWhenAnInputTopicIsMissing() {
        assertThatThrownBy(() -> InternalTopics.of(description(), "app", t -> 0, (short) 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("input topic is missing");
    }
}
