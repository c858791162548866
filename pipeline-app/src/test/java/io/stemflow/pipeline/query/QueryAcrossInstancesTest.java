package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.pipeline.app.PipelineStreams;
import io.stemflow.pipeline.app.PipelineStreamsConfig;
import io.stemflow.pipeline.topology.StoreNames;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.TopicSpec;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the pipeline (same application id, 4 partitions, each with its own state
 * directory and query API as its {@code application.server}) on a real broker: every job,
 * account and the batch is answered correctly by both, whichever holds the key.
 *
 * <p>The broker and the topic names are shared with the whole test run, so every id here carries
 * a prefix unique to this test and other data is ignored.
 */
@WithKafkaStack
class QueryAcrossInstancesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final int JOBS = 36;
    private static final int ACCOUNTS = 4;
    private static final int UNBOUNDED_LEAD = 100_000;

    private final HttpProbe http = new HttpProbe();

    /** One instance: the streams application and its query API. */
    private record Instance(PipelineStreams app, QueryServer api) implements AutoCloseable {

        static Instance start(final TestStack stack, final String applicationId, final Path stateDir) {
            final int port = Fixtures.freePort();
            final QueryConfig query = QueryConfig.of("127.0.0.1", port);
            final PipelineStreamsConfig config = new PipelineStreamsConfig(applicationId, stack.bootstrapServers(),
                    stack.registryUrl().toString(), stateDir, 1, 1, query.applicationServer(), Map.of());
            // no gateway here, so no submission outcome ever frees the lead: a lead larger than every
            // request on the shared topics (other test classes' requests too, which this new application
            // id reads from the start, and which may come first in the queue) lets all be handed on
            final PipelineStreams app = PipelineStreams.start(config,
                    TopologyConfig.defaults().withSchedulerLead(UNBOUNDED_LEAD),
                    TopologyMetrics.inMemory());
            try {
                return new Instance(app, QueryServer.start(app.streams(), query, Fixtures.access()));
            } catch (RuntimeException e) {
                app.close();
                throw e;
            }
        }

        String id() {
            return api.hostInfo().host() + ":" + api.hostInfo().port();
        }

        KafkaStreams streams() {
            return app.streams();
        }

        @Override
        public void close() {
            try {
                api.close();
            } finally {
                app.close();
            }
        }
    }

    @Test
    void shouldAnswerEveryKeyCorrectlyFromBothInstancesWhenTheyShareThePartitions(
            final TestStack stack, @TempDir final Path stateDirs) throws Exception {
        // given
        KafkaTopics.createAndAwait(stack.admin(),
                TopicSpec.all(4).stream().map(spec -> spec.toNewTopic((short) 1)).toList(), Duration.ofSeconds(60));
        final String applicationId = stack.uniqueTopic("query-app");
        final String prefix = stack.uniqueTopic("qx");
        final String batchId = prefix + "-batch";
        try (Instance a = Instance.start(stack, applicationId, stateDirs.resolve("a"));
             Instance b = Instance.start(stack, applicationId, stateDirs.resolve("b"))) {
            final List<Instance> both = List.of(a, b);
            await("both instances RUNNING, each holding part of job-states").atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> both.stream().allMatch(QueryAcrossInstancesTest::sharesTheWork));

            final List<SeparationRequest> requests = requests(prefix, batchId);
            produce(stack, requests);
            final Map<String, Long> reserved = expectedReservations(requests);

            await("every job ADMITTED and counted in its batch").atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        for (final SeparationRequest r : requests) {
                            assertThat(http.get(a.api().url(), "/jobs/" + r.getRequestId()).json().path("state")
                                    .asText()).isEqualTo("ADMITTED");
                        }
                        assertThat(http.get(a.api().url(), "/batches/" + batchId).json().path("counts").toString())
                                .isEqualTo("{\"ADMITTED\":" + JOBS + "}");
                    });

            // when / then: each instance is asked for every key
            final Map<String, Set<String>> servedBy = new LinkedHashMap<>();
            for (final Instance asked : both) {
                final Set<String> answeredBy = new HashSet<>();
                for (final SeparationRequest r : requests) {
                    final HttpProbe.Answer answer = http.get(asked.api().url(), "/jobs/" + r.getRequestId());
                    assertJob(answer, r);
                    assertThat(answer.servedBy()).as("who answered %s", r.getRequestId())
                            .isEqualTo(owner(asked, StoreNames.JOB_STATES, r.getRequestId()));
                    answeredBy.add(answer.servedBy());
                }
                for (final Map.Entry<String, Long> account : reserved.entrySet()) {
                    final HttpProbe.Answer answer = http.get(asked.api().url(), "/accounts/" + account.getKey());
                    assertThat(answer.status()).isEqualTo(200);
                    assertThat(answer.json().toString()).isEqualTo(accountJson(account.getKey(), account.getValue()));
                    assertThat(answer.servedBy()).isEqualTo(owner(asked, StoreNames.CREDIT_BALANCES, account.getKey()));
                    answeredBy.add(answer.servedBy());
                }
                final HttpProbe.Answer batch = http.get(asked.api().url(), "/batches/" + batchId);
                assertThat(batch.status()).isEqualTo(200);
                assertThat(batch.json().toString())
                        .isEqualTo("{\"batchId\":\"" + batchId + "\",\"total\":" + JOBS + ",\"counts\":{\"ADMITTED\":"
                                + JOBS + "},\"reservedCredits\":" + reservedByAdmittedJobs() + ",\"spentCredits\":0}");
                assertThat(batch.servedBy()).isEqualTo(owner(asked, StoreNames.BATCH_COUNTS, batchId));
                answeredBy.add(batch.servedBy());

                final HttpProbe.Answer all = http.get(asked.api().url(), "/accounts");
                assertThat(all.status()).isEqualTo(200);
                final List<String> mine = new ArrayList<>();
                for (final JsonNode account : all.json().path("accounts")) {
                    if (account.path("accountId").asText().startsWith(prefix)) {
                        mine.add(account.toString());
                    }
                }
                assertThat(mine).containsExactlyElementsOf(reserved.entrySet().stream()
                        .map(e -> accountJson(e.getKey(), e.getValue())).toList());
                assertThat(all.json().path("instances").toString()).contains(a.id(), b.id());

                final HttpProbe.Answer missing = http.get(asked.api().url(), "/jobs/" + prefix + "-missing");
                assertThat(missing.status()).isEqualTo(404);
                assertThat(missing.json().path("error").asText()).isEqualTo("not_found");

                servedBy.put(asked.id(), answeredBy);
            }
            // both instances hold keys, so each forwarded the other's keys
            assertThat(servedBy.get(a.id())).containsExactlyInAnyOrder(a.id(), b.id());
            assertThat(servedBy.get(b.id())).containsExactlyInAnyOrder(a.id(), b.id());
        }
    }

    /** RUNNING, two members in the group, and this one holds at least one partition of job-states. */
    private static boolean sharesTheWork(final Instance instance) {
        final KafkaStreams streams = instance.streams();
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        final var clients = streams.metadataForAllStreamsClients();
        return clients.size() == 2
                && clients.stream().allMatch(m -> !m.topicPartitions().isEmpty())
                && streams.streamsMetadataForStore(StoreNames.JOB_STATES).stream()
                        .map(StreamsMetadata::hostInfo).distinct().count() == 2;
    }

    /** Who holds {@code key} according to {@code instance}'s metadata. */
    private static String owner(final Instance instance, final String store, final String key) {
        final KeyQueryMetadata metadata = instance.streams().queryMetadataForKey(store, key,
                Serdes.String().serializer());
        return metadata.activeHost().host() + ":" + metadata.activeHost().port();
    }

    private static List<SeparationRequest> requests(final String prefix, final String batchId) {
        final List<SeparationRequest> requests = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            requests.add(SeparationRequest.newBuilder()
                    .setRequestId(prefix + "-req-" + i)
                    .setAccountId(prefix + "-acct-" + (i % ACCOUNTS))
                    .setBatchId(batchId)
                    .setTaskId("task-" + i)
                    .setAudioId("audio-" + i)
                    .setType(i % 3 == 0 ? SeparationType.SPLIT_STEM : SeparationType.SEPARATE_VOCAL)
                    .setRequestedAt(Instant.now())
                    .setAttempt(1)
                    .setLabels(Map.of("catalogue", prefix))
                    .build());
        }
        return requests;
    }

    private static void produce(final TestStack stack, final List<SeparationRequest> requests) throws Exception {
        final Serde<SeparationRequest> values = AvroSerdes.specific(SeparationRequest.class, stack.serdeConfig(), false);
        try (KafkaProducer<String, SeparationRequest> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), values.serializer())) {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (final SeparationRequest r : requests) {
                sent.add(producer.send(new ProducerRecord<>(io.stemflow.schemas.TopicNames.REQUESTS,
                        r.getRequestId(), r)));
            }
            for (final Future<RecordMetadata> ack : sent) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Credits reserved per account, in account order: 50 per SPLIT_STEM job, 10 per SEPARATE_VOCAL one. */
    private static Map<String, Long> expectedReservations(final List<SeparationRequest> requests) {
        final TopologyConfig costs = TopologyConfig.defaults();
        final Map<String, Long> reserved = new java.util.TreeMap<>();
        for (final SeparationRequest r : requests) {
            reserved.merge(r.getAccountId(), costs.costOf(r.getType()), Long::sum);
        }
        return reserved;
    }

    /** An ungranted, unlimited account: everything reserved, available negative, nothing held. */
    private static String accountJson(final String accountId, final long reserved) {
        return "{\"accountId\":\"" + accountId + "\",\"granted\":0,\"available\":" + (-reserved) + ",\"reserved\":"
                + reserved + ",\"spent\":0,\"held\":0}";
    }

    private static void assertJob(final HttpProbe.Answer answer, final SeparationRequest r) {
        assertThat(answer.status()).as("status of %s", r.getRequestId()).isEqualTo(200);
        final JsonNode job = answer.json();
        assertThat(job.path("requestId").asText()).isEqualTo(r.getRequestId());
        assertThat(job.path("accountId").asText()).isEqualTo(r.getAccountId());
        assertThat(job.path("batchId").asText()).isEqualTo(r.getBatchId());
        assertThat(job.path("type").asText()).isEqualTo(r.getType().name());
        assertThat(job.path("attempt").asInt()).isEqualTo(1);
        assertThat(job.path("state").asText()).isEqualTo("ADMITTED");
        assertThat(job.path("providerTaskId").isNull()).isTrue();
        assertThat(job.path("credits").asLong()).isEqualTo(TopologyConfig.defaults().costOf(r.getType()));
        assertThat(job.path("stems").isArray()).isTrue();
        assertThat(job.path("stems").size()).isZero();
        final JsonNode history = job.path("history");
        assertThat(history.size()).isEqualTo(3);
        assertThat(history.get(0).path("state").asText()).isEqualTo("REQUESTED");
        assertThat(history.get(0).path("previousState").isNull()).isTrue();
        assertThat(history.get(1).path("state").asText()).isEqualTo("QUEUED");
        assertThat(history.get(1).path("previousState").asText()).isEqualTo("REQUESTED");
        assertThat(history.get(2).path("state").asText()).isEqualTo("ADMITTED");
        assertThat(history.get(2).path("previousState").asText()).isEqualTo("QUEUED");
        assertThat(Instant.parse(history.get(2).path("at").asText()))
                .isAfterOrEqualTo(Instant.parse(history.get(0).path("at").asText()));
    }

    /** Every job is admitted and none finished: the batch holds each job's cost reserved (50 split_stem, 10 separate_vocal). */
    private static long reservedByAdmittedJobs() {
        long credits = 0;
        for (int i = 0; i < JOBS; i++) {
            credits += i % 3 == 0 ? 50 : 10;
        }
        return credits;
    }
}
