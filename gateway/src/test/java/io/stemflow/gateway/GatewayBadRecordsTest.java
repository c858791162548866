package io.stemflow.gateway;

import io.stemflow.schemas.DeadLetterHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad record on the gateway's two inputs, produced as raw bytes by a plain producer and interleaved
 * with valid jobs over two partitions: each valid job still gets its outcome, each bad record is on the
 * dead-letter topic with its kind, naming the topic, partition and offset it was produced to (in the value and
 * the headers), the loop's offsets are committed past all of them, and the gateway stays UP.
 */
@WithKafkaStack
class GatewayBadRecordsTest {

    private static final int PARTITIONS = 2;
    private static final byte[] NOT_AVRO = "{\"requestId\": \"json-1\"}".getBytes(StandardCharsets.UTF_8);
    /** Magic byte, then a schema id no registry has handed out, then a body. */
    private static final byte[] UNKNOWN_SCHEMA_ID = {0, 0x7f, (byte) 0xff, (byte) 0xff, 0x7f, 0x02, 0x41};

    /** A record to produce as bytes and what must become of it ({@code expected} null: used). */
    private record Planned(String name, String key, byte[] value, DeadLetterKind expected) {
    }

    /** A planned record with where the broker put it. */
    private record Sent(Planned planned, RecordMetadata where) {
    }

    @Test
    void shouldDeadLetterEachBadAdmittedRecordAndSubmitEveryValidJobWhenTheyAreInterleaved(final TestStack stack)
            throws Exception {
        // given
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), PARTITIONS)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final TopicReader<DeadLetter> deadLetters = fixture.deadLetters();
            final Gateway gateway = fixture.gateway(Map.of());
            final String t = fixture.admitted;
            final List<Planned> plan = List.of(
                    new Planned("valid", "ok-0", admitted(stack, t, request("ok-0")), null),
                    new Planned("tombstone", "tomb-1", null, DeadLetterKind.INVALID_RECORD),
                    new Planned("empty value", "empty-1", new byte[0], DeadLetterKind.CORRUPT_RECORD),
                    new Planned("valid", "ok-1", admitted(stack, t, request("ok-1")), null),
                    new Planned("not Avro", "text-1", NOT_AVRO, DeadLetterKind.CORRUPT_RECORD),
                    new Planned("another record type", "other-1", serialize(stack, foreign(stack), result("other-1")),
                            DeadLetterKind.CORRUPT_RECORD),
                    new Planned("unknown schema id", null, UNKNOWN_SCHEMA_ID, DeadLetterKind.CORRUPT_RECORD),
                    new Planned("valid without a key", null, admitted(stack, t, request("ok-2")), null),
                    new Planned("blank requestId", null, admitted(stack, t, request(" ")),
                            DeadLetterKind.INVALID_RECORD),
                    new Planned("oversized taskId", "big-task", admitted(stack, t, GatewayFixture.request("big-task",
                            SeparationType.SEPARATE_VOCAL, "t".repeat(300), "audio-1")), DeadLetterKind.INVALID_RECORD),
                    new Planned("oversized requestId", "r".repeat(1000), admitted(stack, t, request("r".repeat(1000))),
                            DeadLetterKind.INVALID_RECORD),
                    new Planned("unknown enum symbol", "new-type", newerTypeAdmitted(stack, "new-type"),
                            DeadLetterKind.INVALID_RECORD),
                    new Planned("key disagrees with value", "someone-else", admitted(stack, t, request("mismatch-1")),
                            DeadLetterKind.INVALID_RECORD),
                    new Planned("oversized label", "big-label", admitted(stack, t, SeparationRequest.newBuilder(
                            request("big-label")).setLabels(Map.of("notes", "x".repeat(9000))).build()),
                            DeadLetterKind.INVALID_RECORD),
                    new Planned("valid", "ok-3", admitted(stack, t, request("ok-3")), null));

            // when
            final List<Sent> sent = produce(stack, t, plan);

            // then: valid jobs ACCEPTED; a bad record naming a job by a sound id gets a REJECTED 400 outcome
            final Map<String, SubmissionStatus> expected = new HashMap<>();
            List.of("ok-0", "ok-1", "ok-2", "ok-3").forEach(id -> expected.put(id, SubmissionStatus.ACCEPTED));
            List.of("empty-1", "text-1", "other-1", "big-task", "new-type", "big-label")
                    .forEach(id -> expected.put(id, SubmissionStatus.REJECTED));
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= expected.size()
                    && deadLetters.poll().size() >= badCount(plan));
            assertDeadLettered(t, sent, deadLetters);
            assertCommittedPast(stack, fixture.applicationId + "-" + SubmitHandler.ROLE, sent);
            outcomes.readToEnd(Duration.ofSeconds(30));
            assertThat(outcomes.byKey()).hasSize(expected.size()).allSatisfy((id, list) -> {
                assertThat(list).hasSize(1);
                assertThat(list.get(0).getStatus()).as(id).isEqualTo(expected.get(id));
                if (list.get(0).getStatus() == SubmissionStatus.REJECTED) {
                    assertThat(list.get(0).getCode()).isEqualTo(400);
                    assertThat(list.get(0).getMessage()).startsWith("not submitted: ");
                }
            });
            assertThat(fixture.emulator.control().counters().tasksAccepted()).isEqualTo(4);
            assertThat(deadLetterCount(gateway, SubmitHandler.ROLE, DeadLetterKind.CORRUPT_RECORD)).isEqualTo(4);
            assertThat(deadLetterCount(gateway, SubmitHandler.ROLE, DeadLetterKind.INVALID_RECORD)).isEqualTo(7);
            assertUp(gateway);
        }
    }

    @Test
    void shouldDeadLetterEachBadReconcileRecordAndPollEveryValidJobWhenTheyAreInterleaved(final TestStack stack)
            throws Exception {
        // given: three submitted tasks that have finished with their callbacks lost
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .processingTime(ProcessingTime.fixed(Duration.ofMillis(200)))
                .faults(FaultShares.NONE.withLostCallbacks(1.0)), PARTITIONS)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final TopicReader<SeparationResult> results = fixture.results();
            final TopicReader<DeadLetter> deadLetters = fixture.deadLetters();
            final Gateway gateway = fixture.gateway(Map.of());
            fixture.admit(GatewayFixture.requests("late", 3));
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 3
                    && fixture.emulator.control().counters().callbacksLost() >= 3);
            final Map<String, String> taskIds = new HashMap<>();
            outcomes.byKey().forEach((id, list) -> taskIds.put(id, list.get(0).getProviderTaskId()));
            final String t = fixture.reconcile;
            final List<Planned> plan = List.of(
                    new Planned("valid", "late-0", reconcile(stack, t, poll("late-0", taskIds.get("late-0"))), null),
                    new Planned("tombstone", "late-1", null, DeadLetterKind.INVALID_RECORD),
                    new Planned("empty value", "late-1", new byte[0], DeadLetterKind.CORRUPT_RECORD),
                    new Planned("not Avro", "late-1", NOT_AVRO, DeadLetterKind.CORRUPT_RECORD),
                    new Planned("another record type", "late-1", admitted(stack, foreign(stack), request("late-1")),
                            DeadLetterKind.CORRUPT_RECORD),
                    new Planned("unknown schema id", null, UNKNOWN_SCHEMA_ID, DeadLetterKind.CORRUPT_RECORD),
                    new Planned("valid without a key", null,
                            reconcile(stack, t, poll("late-1", taskIds.get("late-1"))), null),
                    new Planned("blank providerTaskId", "late-2", reconcile(stack, t, poll("late-2", "")),
                            DeadLetterKind.INVALID_RECORD),
                    new Planned("oversized requestId", null, reconcile(stack, t, poll("r".repeat(1000), "task-x")),
                            DeadLetterKind.INVALID_RECORD),
                    new Planned("key disagrees with value", "late-0",
                            reconcile(stack, t, poll("late-2", taskIds.get("late-2"))), DeadLetterKind.INVALID_RECORD),
                    new Planned("valid", "late-2", reconcile(stack, t, poll("late-2", taskIds.get("late-2"))), null));

            // when
            final List<Sent> sent = produce(stack, t, plan);

            // then: one POLL result per valid request, nothing for the bad ones
            await().atMost(Duration.ofSeconds(60)).until(() -> results.poll().size() >= 3
                    && deadLetters.poll().size() >= badCount(plan));
            assertDeadLettered(t, sent, deadLetters);
            assertCommittedPast(stack, fixture.applicationId + "-" + ReconcileHandler.ROLE, sent);
            results.readToEnd(Duration.ofSeconds(30));
            assertThat(results.byKey()).containsOnlyKeys("late-0", "late-1", "late-2").allSatisfy((id, list) -> {
                assertThat(list).hasSize(1);
                assertThat(list.get(0).getSource()).isEqualTo(ResultSource.POLL);
                assertThat(list.get(0).getProviderTaskId()).isEqualTo(taskIds.get(id));
            });
            assertThat(deadLetterCount(gateway, ReconcileHandler.ROLE, DeadLetterKind.CORRUPT_RECORD)).isEqualTo(4);
            assertThat(deadLetterCount(gateway, ReconcileHandler.ROLE, DeadLetterKind.INVALID_RECORD)).isEqualTo(4);
            assertUp(gateway);
        }
    }

    // ---- checks

    /** Each bad record has exactly one dead letter of its kind naming where it was produced; nothing else is there. */
    private static void assertDeadLettered(final String topic, final List<Sent> sent,
                                           final TopicReader<DeadLetter> reader) {
        final List<ConsumerRecord<String, DeadLetter>> letters = reader.readToEnd(Duration.ofSeconds(30));
        final List<Sent> bad = sent.stream().filter(s -> s.planned().expected() != null).toList();
        assertThat(letters).hasSize(bad.size());
        for (final Sent s : bad) {
            final String what = s.planned().name() + " at " + s.where().partition() + "@" + s.where().offset();
            final List<ConsumerRecord<String, DeadLetter>> found = letters.stream()
                    .filter(r -> r.value().getSourcePartition() == s.where().partition()
                            && r.value().getSourceOffset() == s.where().offset())
                    .toList();
            assertThat(found).as(what).hasSize(1);
            final ConsumerRecord<String, DeadLetter> record = found.get(0);
            final DeadLetter letter = record.value();
            assertThat(letter.getKind()).as(what).isEqualTo(s.planned().expected());
            assertThat(letter.getSourceTopic()).as(what).isEqualTo(topic);
            assertThat(letter.getReason()).as(what).isNotBlank();
            assertThat(letter.getDeadLetterId()).as(what).isEqualTo(letter.getKind() + "/" + topic + "/"
                    + s.where().partition() + "/" + s.where().offset());
            assertThat(header(record, DeadLetterHeaders.KIND)).as(what).isEqualTo(s.planned().expected().name());
            assertThat(header(record, DeadLetterHeaders.SOURCE_TOPIC)).as(what).isEqualTo(topic);
            assertThat(header(record, DeadLetterHeaders.SOURCE_PARTITION)).as(what)
                    .isEqualTo(Integer.toString(s.where().partition()));
            assertThat(header(record, DeadLetterHeaders.SOURCE_OFFSET)).as(what)
                    .isEqualTo(Long.toString(s.where().offset()));
            assertThat(header(record, DeadLetterHeaders.REASON)).as(what).isEqualTo(letter.getReason());
            if (s.planned().expected() == DeadLetterKind.CORRUPT_RECORD) {
                assertThat(letter.getErrorClass()).as(what).isNotBlank();
                assertThat(header(record, DeadLetterHeaders.ERROR_CLASS)).as(what).isEqualTo(letter.getErrorClass());
            }
            if (s.planned().value() == null) {
                assertThat(letter.getPayload()).as(what).isNull();
            } else {
                final byte[] payload = new byte[letter.getPayload().remaining()];
                letter.getPayload().duplicate().get(payload);
                assertThat(payload).as(what).isEqualTo(s.planned().value());
            }
        }
    }

    /** The loop's group has committed, on every partition, the offset past the last record produced there. */
    private static void assertCommittedPast(final TestStack stack, final String group, final List<Sent> sent) {
        final Map<TopicPartition, Long> end = new HashMap<>();
        for (final Sent s : sent) {
            end.merge(new TopicPartition(s.where().topic(), s.where().partition()), s.where().offset() + 1, Math::max);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            final Map<TopicPartition, OffsetAndMetadata> committed = stack.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() == e.getValue());
        });
    }

    private static void assertUp(final Gateway gateway) {
        assertThat(gateway.alive()).isTrue();
        assertThat(gateway.failure()).isEmpty();
        assertThat(gateway.health().report().status()).isEqualTo(GatewayHealth.Status.UP);
    }

    private static double deadLetterCount(final Gateway gateway, final String loop, final DeadLetterKind kind) {
        final Counter counter = gateway.meterRegistry().find("stemflow.gateway.dead.letters").tag("loop", loop)
                .tag("kind", kind.name()).counter();
        return counter == null ? 0 : counter.count();
    }

    private static long badCount(final List<Planned> plan) {
        return plan.stream().filter(p -> p.expected() != null).count();
    }

    private static String header(final ConsumerRecord<String, DeadLetter> record, final String key) {
        final Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    // ---- records

    /** Produces the plan in order, alternating partitions, and returns where each record landed. */
    private static List<Sent> produce(final TestStack stack, final String topic, final List<Planned> plan)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(stack.producerConfig(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            final List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                final Planned p = plan.get(i);
                futures.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS,
                        p.key() == null ? null : p.key().getBytes(StandardCharsets.UTF_8), p.value())));
            }
            final List<Sent> sent = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                sent.add(new Sent(plan.get(i), futures.get(i).get(30, TimeUnit.SECONDS)));
            }
            return sent;
        }
    }

    private static SeparationRequest request(final String requestId) {
        return GatewayFixture.request(requestId, SeparationType.SEPARATE_VOCAL);
    }

    private static byte[] admitted(final TestStack stack, final String topic, final SeparationRequest request) {
        return serialize(stack, topic, AdmittedJob.newBuilder().setRequest(request).setReservedCredits(10)
                .setAdmittedAt(Instant.parse("2026-11-20T10:00:01Z")).build());
    }

    private static ReconcileRequest poll(final String requestId, final String taskId) {
        return ReconcileRequest.newBuilder().setRequestId(requestId).setAttempt(1).setProviderTaskId(taskId)
                .setReconciliation(1).setSubmittedAt(Instant.parse("2026-11-20T10:00:02Z"))
                .setRequestedAt(Instant.parse("2026-11-20T10:05:00Z")).build();
    }

    private static byte[] reconcile(final TestStack stack, final String topic, final ReconcileRequest request) {
        return serialize(stack, topic, request);
    }

    private static SeparationResult result(final String requestId) {
        return SeparationResult.newBuilder().setRequestId(requestId).setProviderTaskId("task-" + requestId)
                .setCode(200).setMessage("ok").setStems(List.of()).setOriginUrl(null)
                .setSource(ResultSource.CALLBACK).setReceivedAt(Instant.parse("2026-11-20T10:00:03Z")).build();
    }

    /** A topic name whose subject takes schemas the gateway's topics would refuse (another type, a newer one). */
    private static String foreign(final TestStack stack) {
        return stack.uniqueTopic("gw-foreign");
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> byte[] serialize(final TestStack stack, final String topic,
                                                               final T value) {
        return AvroSerdes.specific((Class<T>) value.getClass(), stack.serdeConfig(), false).serializer()
                .serialize(topic, value);
    }

    /**
     * An admitted job written with a newer SeparationType that has a symbol this gateway does not know: it reads
     * as UNKNOWN (the enum's default).
     */
    private static byte[] newerTypeAdmitted(final TestStack stack, final String requestId) {
        final Schema newer = new Schema.Parser().parse(AdmittedJob.getClassSchema().toString()
                .replace("\"SPLIT_STEM\"]", "\"SPLIT_STEM\",\"SPLIT_DRUMS\"]"));
        final AdmittedJob job = AdmittedJob.newBuilder().setRequest(request(requestId)).setReservedCredits(10)
                .setAdmittedAt(Instant.parse("2026-11-20T10:00:01Z")).build();
        final GenericRecord generic;
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
            new SpecificDatumWriter<AdmittedJob>(AdmittedJob.class).write(job, encoder);
            encoder.flush();
            generic = new GenericDatumReader<GenericRecord>(AdmittedJob.getClassSchema(), newer)
                    .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final GenericRecord request = (GenericRecord) generic.get("request");
        request.put("type", new GenericData.EnumSymbol(request.getSchema().getField("type").schema(),
                "SPLIT_DRUMS"));
        assertThat(newer.toString()).contains("SPLIT_DRUMS");
        return AvroSerdes.generic(stack.serdeConfig(), false).serializer().serialize(foreign(stack), generic);
    }
}
