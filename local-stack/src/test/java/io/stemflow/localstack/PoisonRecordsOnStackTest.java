package io.stemflow.localstack;

import io.stemflow.schemas.DeadLetterHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemUrl;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.schemas.FieldLimits;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 on the whole local stack (real broker, registry, emulator, bridge process, topology, gateway, query
 * API): every kind of bad record, produced as raw bytes by a plain producer to every input of a running stack,
 * is on {@code separation-dlq} exactly once with its kind, naming the topic, partition and offset the producer
 * got back (value and headers); the valid jobs produced after them complete and both {@code /health}
 * endpoints stay UP. Then the stack restarts on the same data: UP again, new jobs complete, and no bad record
 * is dead-lettered a second time.
 *
 * <p>The gateway applies the same {@link FieldLimits} to {@code separation-admitted} and
 * {@code separation-reconcile} as the topology to its inputs (labels over the limits included).
 */
@Tag("broker")
class PoisonRecordsOnStackTest {

    private static final int PARTITIONS = 2;
    private static final String ACCOUNT = "acct";
    private static final Duration ROUND = Duration.ofSeconds(90);
    private static final byte[] NOT_AVRO = "{\"requestId\": \"json-1\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EMPTY = new byte[0];
    /** Magic byte, schema id 9999 (no registry handed it out), then a body. */
    private static final byte[] UNKNOWN_SCHEMA_ID = {0, 0, 0, 0x27, 0x0F, 2, 'a'};
    private static final String TOO_LONG_TEXT = "x".repeat(FieldLimits.MAX_TEXT_LENGTH + 1);
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    /** Consumer groups and the inputs whose offsets they commit (LocalStack's and the gateway's defaults). */
    private static final Map<String, List<String>> GROUPS = Map.of(
            LocalStack.APPLICATION_ID, List.of(TopicNames.REQUESTS, TopicNames.CREDIT_GRANTS, TopicNames.RESULTS,
                    TopicNames.SUBMISSIONS),
            "stemflow-gateway-submitter", List.of(TopicNames.ADMITTED),
            "stemflow-gateway-reconciler", List.of(TopicNames.RECONCILE));

    @TempDir
    Path dataDir;

    /** A record to produce as bytes and what must become of it: a dead letter of {@code expected}, or (null) used. */
    private record Planned(String topic, String name, String key, byte[] value, DeadLetterKind expected) {
    }

    /** A planned record with where the broker put it. */
    private record Sent(Planned planned, RecordMetadata where) {

        String what() {
            return planned.topic() + " '" + planned.name() + "' at " + where.partition() + "@" + where.offset();
        }

        boolean named(final DeadLetter letter) {
            return planned.topic().equals(letter.getSourceTopic())
                    && Integer.valueOf(where.partition()).equals(letter.getSourcePartition())
                    && Long.valueOf(where.offset()).equals(letter.getSourceOffset());
        }
    }

    @Test
    void shouldDeadLetterEachBadRecordOnceAndCompleteEveryJobWhenBadRecordsReachEveryInputAndTheStackRestarts()
            throws Exception {
        final LocalStackConfig config = new LocalStackConfig(dataDir, StackPorts.anyFree(), PARTITIONS, false, true);
        final List<String> firstJobs = ids("first", 6);
        final List<String> secondJobs = ids("second", 6);
        final List<Sent> sent = new ArrayList<>();
        final HealthLog health = new HealthLog();

        try (LocalStack stack = LocalStack.start(config)) {
            // given a running stack
            final Records records = new Records(stack);
            health.watch(stack);
            health.check();

            // when every kind of bad record reaches every input, then valid jobs follow
            sent.addAll(produce(stack, badRecords(records)));
            sent.addAll(produce(stack, jobs(records, firstJobs)));

            // then each bad record is dead-lettered once, naming its origin, and every job completes
            final List<String> expectedJobs = new ArrayList<>(firstJobs);
            expectedJobs.add("keyless-1");
            try (Follower<DeadLetter> dlq = new Follower<>(stack, TopicNames.DLQ, DeadLetter.class);
                 Follower<JobStatus> status = new Follower<>(stack, TopicNames.STATUS, JobStatus.class)) {
                await().atMost(ROUND).pollInterval(Duration.ofMillis(500)).until(() -> {
                    health.check();
                    return bad(sent).stream().allMatch(s -> !lettersNaming(dlq.poll(), s).isEmpty())
                            && completed(status.poll()).containsAll(expectedJobs);
                });
                assertDeadLetteredOnce(sent, dlq.poll());
            }
            expectedJobs.forEach(id -> assertCompletedInQueryApi(stack, id));
            health.check();
            assertThat(health.notUp()).as("every /health answer after the bad records").isEmpty();
        }

        try (LocalStack stack = LocalStack.start(config)) {
            // given the same stack restarted on its data
            final Records records = new Records(stack);
            health.watch(stack);
            health.check();

            // when a second round of jobs is produced
            sent.addAll(produce(stack, jobs(records, secondJobs)));

            // then they complete, the first round is still known, and no bad record is dead-lettered again
            try (Follower<JobStatus> status = new Follower<>(stack, TopicNames.STATUS, JobStatus.class)) {
                await().atMost(ROUND).pollInterval(Duration.ofMillis(500)).until(() -> {
                    health.check();
                    return completed(status.poll()).containsAll(secondJobs);
                });
            }
            awaitCommittedPast(stack, sent);
            try (Follower<DeadLetter> dlq = new Follower<>(stack, TopicNames.DLQ, DeadLetter.class)) {
                assertDeadLetteredOnce(sent, dlq.readToEnd());
            }
            secondJobs.forEach(id -> assertCompletedInQueryApi(stack, id));
            firstJobs.forEach(id -> assertCompletedInQueryApi(stack, id));
            health.check();
            assertThat(health.notUp()).as("every /health answer, before and after the restart").isEmpty();
        }
    }

    // ---- the records

    /** Every kind of bad record for every input, in the order produced; a keyless valid request among them. */
    private static List<Planned> badRecords(final Records r) {
        final List<Planned> plan = new ArrayList<>();
        final String longId = "i".repeat(FieldLimits.MAX_ID_LENGTH + 1);
        final Map<String, String> manyLabels = IntStream.rangeClosed(0, FieldLimits.MAX_ENTRIES).boxed()
                .collect(Collectors.toMap(i -> "k" + i, i -> "v"));
        final List<StemUrl> manyStems = Collections.nCopies(FieldLimits.MAX_ENTRIES + 1,
                new StemUrl(Stem.VOCALS, "https://example.test/v.mp3"));

        // separation-requests
        final String req = TopicNames.REQUESTS;
        corrupt(plan, req, "req", r.foreign(grant("poison-acct", "poison-acct", 10)));
        plan.add(invalid(req, "tombstone", "req-tomb", null));
        plan.add(invalid(req, "label over the text limit", "req-big-label", r.bytes(req,
                SeparationRequest.newBuilder(request("req-big-label")).setLabels(Map.of("notes", TOO_LONG_TEXT))
                        .build())));
        plan.add(invalid(req, "too many labels", "req-many-labels", r.bytes(req,
                SeparationRequest.newBuilder(request("req-many-labels")).setLabels(manyLabels).build())));
        plan.add(invalid(req, "key and requestId over the id limit", longId, r.bytes(req, request(longId))));
        plan.add(new Planned(req, "key disagrees with requestId", "someone-else", r.bytes(req,
                request("req-mismatch")), DeadLetterKind.INVALID_REQUEST));
        plan.add(new Planned(req, "type UNKNOWN", "req-unknown-type", r.bytes(req,
                SeparationRequest.newBuilder(request("req-unknown-type")).setType(SeparationType.UNKNOWN).build()),
                DeadLetterKind.INVALID_REQUEST));
        plan.add(new Planned(req, "missing taskId", "req-no-task", r.bytes(req,
                SeparationRequest.newBuilder(request("req-no-task")).setTaskId("").build()),
                DeadLetterKind.INVALID_REQUEST));
        plan.add(new Planned(req, "valid without a key", null, r.bytes(req, request("keyless-1")), null));

        // credit-grants (accounts the jobs do not use: no valid grant is ever produced)
        final String grants = TopicNames.CREDIT_GRANTS;
        corrupt(plan, grants, "grant", r.foreign(request("grant-other")));
        plan.add(invalid(grants, "tombstone", "poison-acct", null));
        plan.add(invalid(grants, "reason over the text limit", "poison-acct", r.bytes(grants,
                CreditGrant.newBuilder(grant("poison-acct", "poison-acct", 10)).setReason(TOO_LONG_TEXT).build())));
        plan.add(invalid(grants, "key and accountId over the id limit", longId, r.bytes(grants,
                grant("g-long", longId, 10))));
        plan.add(invalid(grants, "key disagrees with accountId", "poison-a", r.bytes(grants,
                grant("g-mismatch", "poison-b", 10))));
        plan.add(invalid(grants, "negative credits", "poison-c", r.bytes(grants, grant("g-negative", "poison-c", -5))));

        // separation-results
        final String results = TopicNames.RESULTS;
        corrupt(plan, results, "res", r.foreign(outcome("res-other", SubmissionStatus.ACCEPTED)));
        plan.add(invalid(results, "tombstone", "res-tomb", null));
        plan.add(invalid(results, "no key", null, r.bytes(results, result("res-no-key"))));
        plan.add(invalid(results, "key disagrees with requestId", "someone-else", r.bytes(results,
                result("res-mismatch"))));
        plan.add(invalid(results, "missing providerTaskId", "res-no-task", r.bytes(results,
                SeparationResult.newBuilder(result("res-no-task")).setProviderTaskId("").build())));
        plan.add(invalid(results, "message over the text limit", "res-big", r.bytes(results,
                SeparationResult.newBuilder(result("res-big")).setMessage(TOO_LONG_TEXT).build())));
        plan.add(invalid(results, "too many stems", "res-many", r.bytes(results,
                SeparationResult.newBuilder(result("res-many")).setStems(manyStems).build())));

        // separation-submissions
        final String subs = TopicNames.SUBMISSIONS;
        corrupt(plan, subs, "sub", r.foreign(result("sub-other")));
        plan.add(invalid(subs, "tombstone", "sub-tomb", null));
        plan.add(invalid(subs, "no key", null, r.bytes(subs, outcome("sub-no-key", SubmissionStatus.ACCEPTED))));
        plan.add(invalid(subs, "key disagrees with requestId", "someone-else", r.bytes(subs,
                outcome("sub-mismatch", SubmissionStatus.ACCEPTED))));
        plan.add(invalid(subs, "status UNKNOWN", "sub-unknown", r.bytes(subs,
                outcome("sub-unknown", SubmissionStatus.UNKNOWN))));
        plan.add(invalid(subs, "message over the text limit", "sub-big", r.bytes(subs,
                SubmissionOutcome.newBuilder(outcome("sub-big", SubmissionStatus.REJECTED)).setMessage(TOO_LONG_TEXT)
                        .build())));

        // separation-admitted (the gateway's submitter)
        final String adm = TopicNames.ADMITTED;
        corrupt(plan, adm, "adm", r.foreign(result("adm-other")));
        plan.add(invalid(adm, "tombstone", "adm-tomb", null));
        plan.add(invalid(adm, "blank requestId", null, r.bytes(adm, admitted(request(" ")))));
        plan.add(invalid(adm, "key and requestId over the id limit", longId, r.bytes(adm, admitted(request(longId)))));
        plan.add(invalid(adm, "taskId over the id limit", "adm-long-task", r.bytes(adm, admitted(
                SeparationRequest.newBuilder(request("adm-long-task")).setTaskId(longId).build()))));
        plan.add(invalid(adm, "type UNKNOWN", "adm-unknown-type", r.bytes(adm, admitted(
                SeparationRequest.newBuilder(request("adm-unknown-type")).setType(SeparationType.UNKNOWN).build()))));
        plan.add(invalid(adm, "key disagrees with requestId", "someone-else", r.bytes(adm,
                admitted(request("adm-mismatch")))));
        plan.add(invalid(adm, "labels over the entry limit", "adm-many-labels", r.bytes(adm, admitted(
                SeparationRequest.newBuilder(request("adm-many-labels")).setLabels(manyLabels).build()))));

        // separation-reconcile (the gateway's reconciler)
        final String rec = TopicNames.RECONCILE;
        corrupt(plan, rec, "rec", r.foreign(admitted(request("rec-other"))));
        plan.add(invalid(rec, "tombstone", "rec-tomb", null));
        plan.add(invalid(rec, "blank providerTaskId", "rec-no-task", r.bytes(rec, reconcile("rec-no-task", ""))));
        plan.add(invalid(rec, "key and requestId over the id limit", longId, r.bytes(rec, reconcile(longId, "t-1"))));
        plan.add(invalid(rec, "key disagrees with requestId", "someone-else", r.bytes(rec,
                reconcile("rec-mismatch", "t-1"))));
        plan.add(invalid(rec, "reconciliation 0", "rec-zero", r.bytes(rec,
                ReconcileRequest.newBuilder(reconcile("rec-zero", "t-1")).setReconciliation(0).build())));
        return plan;
    }

    /** The four kinds of bytes that do not decode: not Avro, empty, an unknown schema id, Avro of another type. */
    private static void corrupt(final List<Planned> plan, final String topic, final String prefix,
                                final byte[] otherType) {
        plan.add(new Planned(topic, "not Avro", prefix + "-text", NOT_AVRO, DeadLetterKind.CORRUPT_RECORD));
        plan.add(new Planned(topic, "empty value", prefix + "-empty", EMPTY, DeadLetterKind.CORRUPT_RECORD));
        plan.add(new Planned(topic, "unknown schema id", null, UNKNOWN_SCHEMA_ID, DeadLetterKind.CORRUPT_RECORD));
        plan.add(new Planned(topic, "Avro of another record type", prefix + "-other", otherType,
                DeadLetterKind.CORRUPT_RECORD));
    }

    private static Planned invalid(final String topic, final String name, final String key, final byte[] value) {
        return new Planned(topic, name, key, value, DeadLetterKind.INVALID_RECORD);
    }

    private static List<Planned> jobs(final Records r, final List<String> ids) {
        return ids.stream().map(id -> new Planned(TopicNames.REQUESTS, "valid job", id,
                r.bytes(TopicNames.REQUESTS, request(id)), null)).toList();
    }

    private static List<String> ids(final String prefix, final int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    private static SeparationRequest request(final String id) {
        return SeparationRequest.newBuilder().setRequestId(id).setAccountId(ACCOUNT).setTaskId("task-" + id)
                .setAudioId("audio-" + id).setType(SeparationType.SEPARATE_VOCAL).setRequestedAt(T0).build();
    }

    private static CreditGrant grant(final String grantId, final String accountId, final long credits) {
        return CreditGrant.newBuilder().setGrantId(grantId).setAccountId(accountId).setCredits(credits)
                .setGrantedAt(T0).build();
    }

    private static SeparationResult result(final String id) {
        return SeparationResult.newBuilder().setRequestId(id).setProviderTaskId("task-" + id).setCode(200)
                .setMessage("ok").setStems(List.of(new StemUrl(Stem.VOCALS, "https://example.test/v.mp3")))
                .setSource(ResultSource.CALLBACK).setReceivedAt(T0).build();
    }

    private static SubmissionOutcome outcome(final String id, final SubmissionStatus status) {
        return SubmissionOutcome.newBuilder().setRequestId(id).setStatus(status)
                .setProviderTaskId(status == SubmissionStatus.ACCEPTED ? "task-" + id : null).setCode(200)
                .setSubmittedAt(T0).build();
    }

    private static AdmittedJob admitted(final SeparationRequest request) {
        return AdmittedJob.newBuilder().setRequest(request).setReservedCredits(10).setAdmittedAt(T0).build();
    }

    private static ReconcileRequest reconcile(final String id, final String taskId) {
        return ReconcileRequest.newBuilder().setRequestId(id).setProviderTaskId(taskId).setReconciliation(1)
                .setSubmittedAt(T0).setRequestedAt(T0).build();
    }

    /** Avro values in the wire format, registered with the stack's registry. */
    private static final class Records {

        private final Map<String, Object> serdeConfig;

        Records(final LocalStack stack) {
            this.serdeConfig = stack.info().registry().serdeConfig();
        }

        @SuppressWarnings("unchecked")
        <T extends SpecificRecord> byte[] bytes(final String topic, final T value) {
            return AvroSerdes.specific((Class<T>) value.getClass(), serdeConfig, false).serializer()
                    .serialize(topic, value);
        }

        /** {@code value} registered under a subject of its own, as another team's topic would have it. */
        <T extends SpecificRecord> byte[] foreign(final T value) {
            return bytes("poison-foreign-" + value.getClass().getSimpleName(), value);
        }
    }

    // ---- producing and reading

    /** Produces the plan in order with a plain producer, alternating partitions; where each record landed. */
    private static List<Sent> produce(final LocalStack stack, final List<Planned> plan) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            final List<Future<RecordMetadata>> futures = new ArrayList<>();
            final Map<String, Integer> perTopic = new HashMap<>();
            for (final Planned p : plan) {
                final int n = perTopic.merge(p.topic(), 1, Integer::sum);
                futures.add(producer.send(new ProducerRecord<>(p.topic(), n % PARTITIONS,
                        p.key() == null ? null : p.key().getBytes(StandardCharsets.UTF_8), p.value())));
            }
            final List<Sent> sent = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                sent.add(new Sent(plan.get(i), futures.get(i).get(30, TimeUnit.SECONDS)));
            }
            return sent;
        }
    }

    private static List<Sent> bad(final List<Sent> sent) {
        return sent.stream().filter(s -> s.planned().expected() != null).toList();
    }

    private static List<ConsumerRecord<String, DeadLetter>> lettersNaming(
            final List<ConsumerRecord<String, DeadLetter>> letters, final Sent s) {
        return letters.stream().filter(r -> s.named(r.value())).toList();
    }

    private static Set<String> completed(final List<ConsumerRecord<String, JobStatus>> statuses) {
        return statuses.stream().filter(r -> r.value().getState() == JobState.COMPLETED)
                .map(r -> r.value().getRequestId()).collect(Collectors.toSet());
    }

    /** A read_committed reader of a whole topic, from the beginning; keeps what it has read. */
    private static final class Follower<V extends SpecificRecord> implements AutoCloseable {

        private final KafkaConsumer<String, V> consumer;
        private final List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        private final List<TopicPartition> partitions;

        Follower(final LocalStack stack, final String topic, final Class<V> type) {
            final Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
            final Deserializer<V> values = AvroSerdes.specific(type,
                    stack.info().registry().serdeConfig(), false).deserializer();
            consumer = new KafkaConsumer<>(c, new StringDeserializer(), values);
            partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        List<ConsumerRecord<String, V>> poll() {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            return seen;
        }

        /** Everything up to the end offsets (last stable offsets) of now. */
        List<ConsumerRecord<String, V>> readToEnd() {
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                poll();
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return seen;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    // ---- checks

    /**
     * Each bad record has exactly one dead letter naming the topic, partition and offset it was produced to, in
     * the value and in the headers, of the expected kind; no record that was to be used is named by any.
     */
    private static void assertDeadLetteredOnce(final List<Sent> sent,
                                               final List<ConsumerRecord<String, DeadLetter>> letters) {
        for (final Sent s : sent) {
            final List<ConsumerRecord<String, DeadLetter>> found = lettersNaming(letters, s);
            if (s.planned().expected() == null) {
                assertThat(found).as("dead letters naming %s, which was to be used", s.what()).isEmpty();
                continue;
            }
            assertThat(found).as("dead letters naming %s", s.what()).hasSize(1);
            final ConsumerRecord<String, DeadLetter> record = found.get(0);
            final DeadLetter letter = record.value();
            assertThat(letter.getKind()).as("kind of %s (%s)", s.what(), letter.getReason())
                    .isEqualTo(s.planned().expected());
            assertThat(letter.getReason()).as(s.what()).isNotBlank();
            assertThat(header(record, DeadLetterHeaders.KIND)).as(s.what()).isEqualTo(s.planned().expected().name());
            assertThat(header(record, DeadLetterHeaders.SOURCE_TOPIC)).as(s.what()).isEqualTo(s.planned().topic());
            assertThat(header(record, DeadLetterHeaders.SOURCE_PARTITION)).as(s.what())
                    .isEqualTo(Integer.toString(s.where().partition()));
            assertThat(header(record, DeadLetterHeaders.SOURCE_OFFSET)).as(s.what())
                    .isEqualTo(Long.toString(s.where().offset()));
        }
    }

    private static String header(final ConsumerRecord<?, ?> record, final String key) {
        final Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Every group has committed past the last record produced to each partition of its inputs, so whatever it
     * would write for them again has been written (and would be read by a read_committed consumer).
     */
    private static void awaitCommittedPast(final LocalStack stack, final List<Sent> sent) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.info().bootstrapServers()))) {
            GROUPS.forEach((group, topics) -> {
                final Map<TopicPartition, Long> past = new HashMap<>();
                sent.stream().filter(s -> topics.contains(s.planned().topic())).forEach(s -> past.merge(
                        new TopicPartition(s.planned().topic(), s.where().partition()), s.where().offset() + 1,
                        Math::max));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    past.forEach((tp, offset) -> {
                        assertThat(committed.get(tp)).as("offset of %s committed by %s", tp, group).isNotNull();
                        assertThat(committed.get(tp).offset()).as("offset of %s committed by %s", tp, group)
                                .isGreaterThanOrEqualTo(offset);
                    });
                });
            });
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode getJson(final URI uri, final String token, final List<Integer> status)
            throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (token != null) { // /health is open; the stores need the stack's viewer token
            request.header("Authorization", "Bearer " + token);
        }
        final HttpResponse<String> response = HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        status.add(response.statusCode());
        return JSON.readTree(response.body());
    }

    private static void assertCompletedInQueryApi(final LocalStack stack, final String requestId) {
        final URI uri = URI.create(stack.info().services().get("query-api")).resolve("/jobs/" + requestId);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            final List<Integer> status = new ArrayList<>();
            final JsonNode job = getJson(uri, java.nio.file.Files.readString(java.nio.file.Path.of(stack.info().credentials().get(StackInfo.VIEWER_TOKEN_FILE))).strip(), status);
            assertThat(status).as("GET %s", uri).containsExactly(200);
            assertThat(job.path("state").asText()).as("state of %s", requestId).isEqualTo("COMPLETED");
            assertThat(job.path("stems").size()).as("stems of %s", requestId).isPositive();
        });
    }

    /** Asks both /health endpoints when told to and keeps every answer that was not 200 with status UP. */
    private static final class HealthLog {

        private final Map<URI, String> endpoints = new LinkedHashMap<>();
        private final List<String> notUp = new ArrayList<>();

        void watch(final LocalStack stack) {
            endpoints.clear();
            endpoints.put(URI.create(stack.info().services().get("query-api")).resolve("/health"), "query API");
            endpoints.put(URI.create(stack.info().services().get("gateway")).resolve("/health"), "gateway");
        }

        void check() throws IOException, InterruptedException {
            for (final Map.Entry<URI, String> e : endpoints.entrySet()) {
                final List<Integer> status = new ArrayList<>();
                final JsonNode body = getJson(e.getKey(), null, status);
                if (status.get(0) != 200 || !"UP".equals(body.path("status").asText())) {
                    notUp.add(e.getValue() + " answered " + status.get(0) + " " + body);
                }
            }
        }

        List<String> notUp() {
            return notUp;
        }
    }
}
