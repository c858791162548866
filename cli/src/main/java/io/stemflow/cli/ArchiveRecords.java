package io.stemflow.cli;

import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what the topics say of one batch's archive ({@link BatchArchive}): {@code separation-stems},
 * {@code separation-archived} and {@code separation-dlq} from the beginning to their end offsets when the read
 * starts, committed records only, and {@code separation-manifests} the same way when that topic exists (a deployment
 * without a manifest writer has none). Values are decoded one by one; one that does not decode is counted and left
 * out, and the read goes on.
 */
final class ArchiveRecords {

    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);

    private ArchiveRecords() {
    }

    /**
     * Folds every committed record of the topics up to their end offsets now into {@code into}.
     *
     * @param progress where a progress line is redrawn while reading, or null for none
     * @throws CliException exit 5 when the topics cannot be read to their end within {@code timeout}
     */
    static void read(final Connection connection, final Topics topics, final BatchArchive into,
                     final Duration timeout, final LiveLines progress) {
        final Map<String, Consumer<ConsumerRecord<String, byte[]>>> feeds = new HashMap<>();
        feeds.put(topics.stems().name(), decoded(topics.stems(), into, into::onStem));
        feeds.put(topics.archived().name(), decoded(topics.archived(), into, into::onArchived));
        feeds.put(topics.deadLetters().name(), decoded(topics.deadLetters(), into, into::onDeadLetter));
        final Map<String, Object> c = new HashMap<>(connection.kafkaClient());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<String> names = new ArrayList<>(feeds.keySet());
            final String manifests = topics.manifests().name();
            final var partitions = consumer.partitionsFor(manifests);
            if (partitions != null && !partitions.isEmpty()) {
                names.add(manifests);
                feeds.put(manifests, decoded(topics.manifests(), into, into::onManifest));
            }
            final Map<String, Map<Integer, Long>> ends = TopicSnapshot.endOffsets(consumer, names);
            final Instant[] next = {Instant.now()};
            final long read = TopicSnapshot.read(consumer, ends, timeout, r -> feeds.get(r.topic()).accept(r),
                    (done, total) -> {
                        if (progress != null && !Instant.now().isBefore(next[0])) {
                            progress.draw(List.of(String.format("reading %,d of %,d records", done, total)));
                            next[0] = Instant.now().plus(PROGRESS_EVERY);
                        }
                    });
            if (progress != null) {
                progress.draw(List.of(String.format("read %,d records", read)));
            }
        } catch (IllegalStateException | KafkaException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "could not read the archive's topics from "
                    + connection.bootstrapServers() + ": " + e.getMessage());
        }
    }

    /** The progress display of a read on standard error: on a terminal only, and not with {@code --no-progress}. */
    static LiveLines progress(final PrintWriter err, final boolean noProgress) {
        return !noProgress && Terminal.redraws() ? new LiveLines(err, true, Terminal::width) : null;
    }

    private static <V> Consumer<ConsumerRecord<String, byte[]>> decoded(final Topic<String, V> topic,
                                                                        final BatchArchive into,
                                                                        final Consumer<V> each) {
        return r -> {
            if (r.value() == null) {
                return; // a tombstone: nothing to count
            }
            final V value;
            try {
                value = topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            } catch (RuntimeException e) {
                into.onUndecodable();
                return;
            }
            each.accept(value);
        };
    }
}
