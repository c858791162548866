package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's flow on the whole local stack (broker, registry, emulator, bridge process, topology,
 * gateway, query API): every job ends, and the summary agrees with what the topics hold.
 */
@Tag("broker")
class LocalStackDemoTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldEndEveryJobAndReportWhatTheTopicsHoldWhenTheDemoRuns() throws Exception {
        try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true))) {
            // when
            final StringWriter text = new StringWriter();
            final Demo.Settings settings = new Demo.Settings(24, "demo-test", Duration.ofMinutes(5), 10_000, 100);
            final Demo.Summary summary = new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                    settings, Clock.systemUTC(), null).withRegistryAuth(stack.info().registry().auth())
                    .run(new PrintWriter(text, true));

            // then every job ended and the credits add up
            assertThat(summary.allTerminal()).as(text.toString()).isTrue();
            assertThat(summary.ledgerBalanced()).as(text.toString()).isTrue();
            assertThat(summary.jobsByState()).containsEntry(JobState.COMPLETED, 24L);
            assertThat(text.toString()).contains("topping label-south up");

            // and the summary says what the topics hold
            final Map<String, JobState> states = new HashMap<>();
            for (final JobStatus s : readAll(stack, TopicNames.STATUS, JobStatus.class)) {
                if ("demo-test".equals(s.getBatchId()) && s.getState() != s.getPreviousState()) {
                    states.put(s.getRequestId(), s.getState());
                }
            }
            final Map<JobState, Long> byState = new EnumMap<>(JobState.class);
            states.values().forEach(st -> byState.merge(st, 1L, Long::sum));
            assertThat(byState).isEqualTo(summary.jobsByState());
            final Map<Stem, Long> stems = new EnumMap<>(Stem.class);
            for (final StemReady s : readAll(stack, TopicNames.STEMS, StemReady.class)) {
                if ("demo-test".equals(s.getBatchId())) {
                    stems.merge(s.getStem(), 1L, Long::sum);
                }
            }
            assertThat(stems).isEqualTo(summary.stemsByType());
            assertThat(summary.stems()).isEqualTo(8 * 12 + 16 * 2); // 8 split_stem x 12 stems, 16 separate_vocal x 2
            assertThat(summary.balances().get(Demo.SOUTH).getSpent())
                    .isEqualTo(summary.expectedSpendByAccount().get(Demo.SOUTH));
            // and nothing was lost on the way, in the first seconds of a fresh stack either: every job
            // was admitted once, reserved once and captured once (through the internal topics)
            assertThat(readAll(stack, TopicNames.ADMITTED, AdmittedJob.class).stream()
                    .filter(a -> "demo-test".equals(a.getRequest().getBatchId()))
                    .map(a -> a.getRequest().getRequestId()).toList()).hasSize(24).doesNotHaveDuplicates();
            final Map<LedgerEntryKind, Long> entries = new EnumMap<>(LedgerEntryKind.class);
            for (final LedgerEntry e : readAll(stack, TopicNames.CREDIT_LEDGER, LedgerEntry.class)) {
                if (e.getKind() != LedgerEntryKind.GRANT) {
                    entries.merge(e.getKind(), 1L, Long::sum);
                }
            }
            assertThat(entries).containsEntry(LedgerEntryKind.RESERVATION, 24L)
                    .containsEntry(LedgerEntryKind.CAPTURE, 24L).doesNotContainKey(LedgerEntryKind.RELEASE);
            // and the emulator never had to refuse a call for its rate limit
            assertThat(stack.emulator().orElseThrow().control().counters().requestsByCode()).doesNotContainKey(430);
        }
    }

    /** Every committed value of {@code topic} on the stack, up to its end offsets of now. */
    static <T extends SpecificRecord> List<T> readAll(final LocalStack stack, final String topic,
                                                              final Class<T> type) {
        return readAll(stack, topic, type, Map.of());
    }

    /** As {@link #readAll(LocalStack, String, Class)}, with these client security settings (a secure stack). */
    static <T extends SpecificRecord> List<T> readAll(final LocalStack stack, final String topic,
                                                      final Class<T> type, final Map<String, Object> security) {
        final Map<String, Object> c = new HashMap<>(security);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final java.util.ArrayList<T> values = new java.util.ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                AvroSerdes.specific(type, io.stemflow.serde.registry.RegistryConnection.of(
                        stack.info().schemaRegistryUrl()).withAuth(stack.info().registry().auth()).serdeConfig(), false)
                        .deserializer())) {
            TopicSnapshot.read(consumer, topic, Duration.ofSeconds(60), r -> values.add(r.value()));
        }
        return values;
    }
}
