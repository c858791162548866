package io.stemflow.archiver;

import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.kafka.JsonSerde;
import io.stemflow.schemas.DeadLetterHeaders;
import io.stemflow.schemas.Topic;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The archiver's announcer, as a pure function of its topics: reads the worker's {@link ArchiveOutcome}s and writes
 * exactly one {@code StemArchived} per stem of a job, or one {@code ARCHIVE_FAILED} dead letter for a stem that could
 * not be had, however often the worker archived it (a restart, a stem event read twice, an operator's replay).
 *
 * <pre>
 * {app}-outcomes ─> announce (store archived-stems: requestId/stem -> ARCHIVED | FAILED)
 *                      ├─> separation-archived  (the first success of a stem)
 *                      ├─> separation-dlq       (the first failure of a stem never archived, headers stemflow.dlq.*)
 *                      └─> the batch path       (each of those of a job with a batch: {@link BatchManifests})
 * </pre>
 *
 * A success after a failure is announced (an operator replayed the stem and it could be had after all); a failure
 * after a success, or anything after a success, is not.
 */
public final class AnnounceTopology {

    /** requestId/stem -> {@value #ARCHIVED} or {@value #FAILED}: what was announced for it. */
    public static final String ARCHIVED_STEMS = "archived-stems";
    static final String ARCHIVED = "ARCHIVED";
    static final String FAILED = "FAILED";

    static final String READ_OUTCOMES = "read-outcomes";
    static final String ANNOUNCE = "announce";
    static final String WRITE_ARCHIVED = "write-archived";
    static final String WRITE_DEAD_LETTERS = "write-dead-letters";

    /**
     * What the announcer reads and writes.
     *
     * @param stems     the stem events: the dead letters' source topic, and read by the batch path
     * @param status    the jobs' statuses, read by the batch path
     * @param manifests where the batch path announces manifests
     */
    public record Topics(String outcomes, Topic<String, StemArchived> archived, Topic<String, DeadLetter> deadLetters,
                         Topic<String, StemReady> stems, Topic<String, JobStatus> status,
                         Topic<String, BatchManifest> manifests) {
        public Topics {
            Objects.requireNonNull(outcomes, "outcomes");
            Objects.requireNonNull(archived, "archived");
            Objects.requireNonNull(deadLetters, "deadLetters");
            Objects.requireNonNull(stems, "stems");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(manifests, "manifests");
        }
    }

    private AnnounceTopology() {
    }

    /** The announcer and its batch path ({@link BatchManifests}), every store, node and internal topic named. */
    public static Topology build(final Topics topics, final BatchManifests.Settings batches) {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ARCHIVED_STEMS),
                Serdes.String(), Serdes.String()));
        final String stemsTopic = topics.stems().name();
        final KStream<String, Object> announced = builder.stream(topics.outcomes(),
                        Consumed.with(Serdes.String(), JsonSerde.of(ArchiveOutcome.class)).withName(READ_OUTCOMES))
                .process(() -> new Announcer(stemsTopic), Named.as(ANNOUNCE), ARCHIVED_STEMS);
        // the announcer forwards each record to one child by name: these sinks and the batch path
        announced.to(topics.archived().name(), Produced.with(Serdes.String(), asObjects(topics.archived().valueSerde()))
                .withName(WRITE_ARCHIVED));
        announced.to(topics.deadLetters().name(), Produced.with(Serdes.String(),
                asObjects(topics.deadLetters().valueSerde())).withName(WRITE_DEAD_LETTERS));
        BatchManifests.addTo(builder, announced, topics.stems(), topics.status(), topics.manifests(), batches);
        final Properties props = new Properties();
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        return builder.build(props);
    }

    /** A serde of {@code T} for a sink that the announcer only forwards {@code T}s to. */
    @SuppressWarnings("unchecked")
    private static <T> Serde<Object> asObjects(final Serde<T> serde) {
        final Serializer<T> serializer = serde.serializer();
        final Deserializer<T> deserializer = serde.deserializer();
        return Serdes.serdeFrom((topic, value) -> serializer.serialize(topic, (T) value), deserializer::deserialize);
    }

    static StemArchived stemArchived(final ArchiveOutcome o) {
        return StemArchived.newBuilder()
                .setRequestId(o.requestId())
                .setAccountId(o.accountId())
                .setBatchId(o.batchId())
                .setType(SeparationType.valueOf(o.type()))
                .setAttempt(o.attempt())
                .setProviderTaskId(o.providerTaskId())
                .setStem(Stem.valueOf(o.stem().toUpperCase(Locale.ROOT)))
                .setLocation(o.location())
                .setKey(o.key())
                .setSha256(o.sha256())
                .setSize(o.size())
                .setContentType(o.contentType())
                .setArchivedAt(Instant.ofEpochMilli(o.at()))
                .setLabels(o.labels())
                .build();
    }

    static DeadLetter deadLetter(final ArchiveOutcome o, final String stemsTopic) {
        return DeadLetter.newBuilder()
                .setDeadLetterId(o.requestId() + "/" + o.attempt() + "/" + o.stem() + "/ARCHIVE_FAILED")
                .setKind(DeadLetterKind.ARCHIVE_FAILED)
                .setReason("stem " + o.stem() + " not archived: " + o.reason())
                .setCode(o.code())
                .setRequestId(o.requestId())
                .setAccountId(o.accountId())
                .setBatchId(o.batchId())
                .setAttempt(o.attempt())
                .setSourceTopic(o.sourceTopic() == null ? stemsTopic : o.sourceTopic())
                .setSourcePartition(o.sourcePartition())
                .setSourceOffset(o.sourceOffset())
                .setFailedAt(Instant.ofEpochMilli(o.at()))
                .build();
    }

    /** Announces the first success of each stem, or its first failure while it has none. */
    private static final class Announcer implements Processor<String, ArchiveOutcome, String, Object> {

        private final String stemsTopic;
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, String> announced;

        Announcer(final String stemsTopic) {
            this.stemsTopic = stemsTopic;
        }

        @Override
        public void init(final ProcessorContext<String, Object> context) {
            this.context = context;
            this.announced = context.getStateStore(ARCHIVED_STEMS);
        }

        @Override
        public void process(final Record<String, ArchiveOutcome> record) {
            final ArchiveOutcome outcome = record.value();
            if (outcome == null) {
                return;
            }
            final String before = announced.get(outcome.stemId());
            if (ARCHIVED.equals(before) || !outcome.archived() && FAILED.equals(before)) {
                return;
            }
            if (outcome.batchId() != null) {
                context.forward(new Record<String, Object>(BatchManifests.batchKey(outcome.accountId(),
                        outcome.batchId()), outcome, record.timestamp()), BatchManifests.SETTLED_FOR_BATCH);
            }
            if (outcome.archived()) {
                announced.put(outcome.stemId(), ARCHIVED);
                context.forward(new Record<String, Object>(outcome.requestId(), stemArchived(outcome),
                        record.timestamp()), WRITE_ARCHIVED);
            } else {
                announced.put(outcome.stemId(), FAILED);
                final DeadLetter letter = deadLetter(outcome, stemsTopic);
                final Record<String, Object> dead = new Record<>(outcome.requestId(), letter, record.timestamp());
                for (final Header h : DeadLetterHeaders.headersOf(letter)) {
                    dead.headers().add(h);
                }
                context.forward(dead, WRITE_DEAD_LETTERS);
            }
        }
    }
}
