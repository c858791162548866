package io.stemflow.pipeline.topology;

import io.stemflow.schemas.DeadLetterHeaders;

import io.stemflow.schemas.FieldLimits;

import static io.stemflow.pipeline.topology.TopologyHarness.request;
import static io.stemflow.pipeline.topology.TopologyHarness.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import io.stemflow.schemas.TopicNames;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Records other teams may produce by mistake, on every input the topology reads: each is used,
 * or dead-lettered naming the topic, partition and offset it was produced to, and the jobs around
 * it go on as if it had never been there.
 */
class PoisonRecordsTopologyTest {

    private final TopologyHarness h = TopologyHarness.withDefaults();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void shouldDeadLetterATombstoneAndKeepGoingWhenOneIsProducedToEveryInput() {
        // given a job under way
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));
        final String task = h.accept("r1", 1);

        // when a tombstone reaches every input
        h.requests.pipeInput("r1", null);
        h.submissions.pipeInput("r1", null);
        h.results.pipeInput("r1", null);
        h.grants.pipeInput("acct", null);
        h.succeed("r1", task, Stem.VOCALS, Stem.INSTRUMENTAL);

        // then each is a dead letter naming its own topic, and the job completed
        final List<DeadLetter> letters = values(h.deadLetters);
        assertThat(letters).extracting(DeadLetter::getSourceTopic).containsExactlyInAnyOrder(
                TopicNames.REQUESTS, TopicNames.SUBMISSIONS, TopicNames.RESULTS, TopicNames.CREDIT_GRANTS);
        assertThat(letters).allSatisfy(d -> {
            assertThat(d.getKind()).isEqualTo(DeadLetterKind.INVALID_RECORD);
            assertThat(d.getReason()).contains("tombstone");
        });
        assertThat(h.state("r1")).isEqualTo(JobState.COMPLETED);
        assertThat(values(h.stems)).hasSize(2);
        assertThat(h.metrics.total(Event.INVALID_RECORD)).isEqualTo(4);
    }

    @Test
    void shouldKeyAKeylessRequestByItsRequestIdWhenItHasNoKey() {
        // when
        h.requests.pipeInput((String) null, request("keyless", "acct", SeparationType.SPLIT_STEM));

        // then the job is admitted under its requestId
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("keyless");
        assertThat(h.state("keyless")).isEqualTo(JobState.ADMITTED);
        assertThat(values(h.deadLetters)).isEmpty();
    }

    @Test
    void shouldNameTheProducedTopicAndOffsetWhenARekeyedRequestIsInvalid() {
        // given two good requests first, so the bad one is at offset 2 of separation-requests
        h.submit(request("a", "acct", SeparationType.SEPARATE_VOCAL));
        h.submit(request("b", "acct", SeparationType.SEPARATE_VOCAL));

        // when
        h.requests.pipeInput("not-the-id", request("c", "acct", SeparationType.SEPARATE_VOCAL));

        // then the dead letter points at the team's record, not at the internal repartition topic
        final TestRecord<String, DeadLetter> letter = h.deadLetters.readRecord();
        assertThat(letter.value().getKind()).isEqualTo(DeadLetterKind.INVALID_REQUEST);
        assertThat(letter.value().getSourceTopic()).isEqualTo(TopicNames.REQUESTS);
        assertThat(letter.value().getSourcePartition()).isZero();
        assertThat(letter.value().getSourceOffset()).isEqualTo(2L);
        assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(TopicNames.REQUESTS);
        assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("2");
        assertThat(letter.value().getRequest().getRequestId()).isEqualTo("c");
    }

    @Test
    void shouldDeadLetterAResultOrOutcomeWhenItsKeyIsNotItsRequestId() {
        // given
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));

        // when
        h.submissions.pipeInput("other", new SubmissionOutcome("r1", 1, SubmissionStatus.ACCEPTED, "t1", 200, "ok",
                1, TopologyHarness.T0));
        h.submissions.pipeInput((String) null, new SubmissionOutcome("r1", 1, SubmissionStatus.ACCEPTED, "t1", 200,
                "ok", 1, TopologyHarness.T0));
        h.results.pipeInput((String) null, new SeparationResult("r1", "t1", 200, null, List.of(), null,
                ResultSource.CALLBACK, TopologyHarness.T0));

        // then none was applied to the job
        assertThat(values(h.deadLetters)).hasSize(3).allSatisfy(d -> {
            assertThat(d.getKind()).isEqualTo(DeadLetterKind.INVALID_RECORD);
            assertThat(d.getReason()).contains("is not the requestId");
            assertThat(d.getRequestId()).isEqualTo("r1");
        });
        assertThat(h.state("r1")).isEqualTo(JobState.ADMITTED);
    }

    @Test
    void shouldRefuseASubmissionWhenItsStatusIsASymbolThisVersionDoesNotKnow() {
        // given
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));

        // when a newer writer's status reads as UNKNOWN
        h.submissions.pipeInput("r1", new SubmissionOutcome("r1", 1, SubmissionStatus.UNKNOWN, null, 200, null, 1,
                TopologyHarness.T0));

        // then it is not taken for a rejection: the job still waits, its credits still reserved
        assertThat(values(h.deadLetters)).singleElement()
                .satisfies(d -> assertThat(d.getReason()).contains("UNKNOWN"));
        assertThat(h.state("r1")).isEqualTo(JobState.ADMITTED);
        assertThat(h.account("acct").reserved()).isEqualTo(10);
    }

    @Test
    void shouldDeadLetterOversizedRecordsBeforeTheyAreRekeyedWhenAnyStringIsTooLong() {
        // given
        final SeparationRequest hugeLabel = SeparationRequest.newBuilder(
                request("big", "acct", SeparationType.SEPARATE_VOCAL))
                .setLabels(Map.of("notes", "x".repeat(FieldLimits.MAX_TEXT_LENGTH + 1))).build();
        final Map<String, String> manyLabels = new HashMap<>();
        for (int i = 0; i <= FieldLimits.MAX_ENTRIES; i++) {
            manyLabels.put("k" + i, "v");
        }
        final SeparationRequest tooMany = SeparationRequest.newBuilder(
                request("many", "acct", SeparationType.SEPARATE_VOCAL)).setLabels(manyLabels).build();
        final String longId = "r".repeat(FieldLimits.MAX_ID_LENGTH + 1);

        // when
        h.submit(hugeLabel);
        h.submit(tooMany);
        h.requests.pipeInput(longId, request(longId, "acct", SeparationType.SEPARATE_VOCAL));
        h.grants.pipeInput("acct", new CreditGrant("g1", "acct", 10L, "y".repeat(FieldLimits.MAX_TEXT_LENGTH + 1),
                TopologyHarness.T0));
        h.submit(request("small", "acct", SeparationType.SEPARATE_VOCAL));

        // then
        final List<DeadLetter> letters = values(h.deadLetters);
        assertThat(letters).hasSize(4).allSatisfy(d -> assertThat(d.getKind()).isEqualTo(DeadLetterKind.INVALID_RECORD));
        assertThat(letters.get(0).getReason()).contains("labels[notes]").contains("8193 characters");
        assertThat(letters.get(1).getReason()).contains("labels has 101 entries");
        assertThat(letters.get(2).getReason()).contains("record key has 201 characters");
        assertThat(letters.get(2).getRequestId()).isNull();
        assertThat(letters.get(3).getReason()).contains("reason has 8193 characters");
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("small");
    }

    @Test
    void shouldDeadLetterTheBytesWhenAnInputRecordDoesNotDecode() {
        // given: not Avro, empty, an unknown schema id, and Avro of another record type
        final byte[] notAvro = "{\"requestId\":\"r1\"}".getBytes(StandardCharsets.UTF_8);
        final byte[] empty = new byte[0];
        final byte[] unknownId = {0, 0, 0, 0x27, 0x0F, 2, 'a'};
        final byte[] grant = h.bytes(h.topics.creditGrants(),
                new CreditGrant("g1", "acct", 10L, null, TopologyHarness.T0));
        final byte[] key = "r1".getBytes(StandardCharsets.UTF_8);

        // when every kind reaches every input that takes Avro from other teams
        for (final String topic : List.of(TopicNames.REQUESTS, TopicNames.SUBMISSIONS, TopicNames.RESULTS)) {
            for (final byte[] value : List.of(notAvro, empty, unknownId, grant)) {
                h.raw(topic).pipeInput(key, value);
            }
        }
        h.raw(TopicNames.CREDIT_GRANTS).pipeInput("acct".getBytes(StandardCharsets.UTF_8), notAvro);
        h.submit(request("good", "acct", SeparationType.SEPARATE_VOCAL));

        // then every record was handed to the corrupt-record handler and the next request went on
        // (TopologyTestDriver does not pass on the dead letters a deserialization handler returns;
        // PoisonRecordsOnBrokerTest reads them from the real topic)
        assertThat(h.metrics.total(Event.CORRUPT_RECORD)).isEqualTo(13);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("good");
    }

    @Test
    void shouldDeadLetterTheRecordAndGoOnWhenProcessingItThrows() {
        // given a job waiting for its decision, and a stranger's tombstone on the internal decisions topic
        h.raw(TopicNames.JOB_DECISIONS).pipeInput("r0".getBytes(StandardCharsets.UTF_8), (byte[]) null);

        // when
        h.submit(request("r1", "acct", SeparationType.SEPARATE_VOCAL));

        // then the record that made the processor throw is set aside; the next job runs
        final List<DeadLetter> letters = values(h.deadLetters);
        assertThat(letters).singleElement().satisfies(d -> {
            assertThat(d.getKind()).isEqualTo(DeadLetterKind.PROCESSING_ERROR);
            assertThat(d.getSourceTopic()).isEqualTo(TopicNames.JOB_DECISIONS);
            assertThat(d.getSourceOffset()).isZero();
            assertThat(d.getErrorClass()).isEqualTo(NullPointerException.class.getName());
            assertThat(d.getRequestId()).isEqualTo("r0");
        });
        assertThat(h.state("r1")).isEqualTo(JobState.ADMITTED);
        assertThat(h.metrics.total(Event.PROCESSING_ERROR)).isEqualTo(1);
    }

    private static String header(final TestRecord<String, DeadLetter> r, final String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
