package io.stemflow.cli.bench;

import io.stemflow.kafka.KafkaTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Raw Kafka on the same broker in the same run: a producer with the benchmark's settings ({@link BenchClients})
 * writing records of the same size and content as stemflow's inputs (their serialized bytes) to a topic of its own,
 * then a consumer reading them back. What stemflow's figures are divided by.
 *
 * @param records      records written and read
 * @param recordBytes  the value's size
 * @param produceNanos from the first send to the last acknowledgement
 * @param consumeNanos from the first poll to the last record, scaled to {@code records} (the consumer also reads the
 *                     producer's warm-up)
 */
record RawBaseline(int records, int recordBytes, long produceNanos, long consumeNanos) {

    static final String TOPIC = "stemflow-bench-raw";
    /** Fewer records than this measure the producer's start, not its rate. */
    static final int MIN_RECORDS = 200_000;
    /** Sent before the clock starts: connections, metadata, the JIT. */
    private static final int WARM_UP = 20_000;
    private static final Duration DEADLINE = Duration.ofMinutes(10);

    double producePerSecond() {
        return records * 1e9 / produceNanos;
    }

    double consumePerSecond() {
        return records * 1e9 / consumeNanos;
    }

    /**
     * @param replication the replication factor of stemflow's own topics on this cluster
     * @param records how many records to measure, at least {@link #MIN_RECORDS}
     * @param value   the i-th record's value (stemflow's serialized input of the same index)
     */
    static RawBaseline measure(final Admin admin, final Map<String, Object> kafka, final int partitions,
                               final short replication, final int records, final IntFunction<byte[]> value) {
        KafkaTopics.createAndAwait(admin, List.of(new NewTopic(TOPIC, partitions, replication)), Duration.ofSeconds(60));
        try {
            final Acks acks = new Acks();
            final int measured = Math.max(records, MIN_RECORDS);
            int size = 0;
            long start = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(BenchClients.producer(kafka),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < WARM_UP; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i), value.apply(i)), acks);
                }
                producer.flush();
                start = System.nanoTime();
                for (int i = 0; i < measured; i++) {
                    final byte[] v = value.apply(i);
                    size = v.length;
                    producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i), v), acks);
                }
                producer.flush();
            }
            final long produced = System.nanoTime() - start;
            acks.check("baseline records");
            final long consumed = consume(kafka, WARM_UP + measured);
            return new RawBaseline(measured, size, produced, consumed * measured / (WARM_UP + measured));
        } finally {
            admin.deleteTopics(List.of(TOPIC));
        }
    }

    private static long consume(final Map<String, Object> kafka, final int records) {
        final Map<String, Object> config = BenchClients.consumer(kafka);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (final PartitionInfo p : consumer.partitionsFor(TOPIC)) {
                partitions.add(new TopicPartition(TOPIC, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = 0;
            final long start = System.nanoTime();
            final long deadline = start + DEADLINE.toNanos();
            while (read < records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the baseline consumer read " + read + " of " + records
                            + " records within " + DEADLINE);
                }
                final ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
                read += batch.count();
            }
            return System.nanoTime() - start;
        }
    }
}
