package io.stemflow.cli.bench;

import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.schemas.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The admission figures: {@code jobs} separate_vocal requests of one BULK batch produced to
 * {@code separation-requests-bulk} the way {@code stemflow submit} sends a manifest, and the scheduler's count of
 * the jobs it holds (waiting, or handed on) sampled every 100 ms from the first send until it holds them all. A job
 * is admitted when its credits are reserved and it waits for its turn at the provider.
 *
 * @param produceNanos  from the first send to the last acknowledgement
 * @param firstNanos    from the first send to the first admitted job
 * @param allNanos      from the first send to the last
 * @param perBucket     jobs admitted in each 5 s from the first send (the last one may be shorter)
 * @param written       records written to each topic during the phase, most first, internal topics included
 */
record Admission(int jobs, long produceNanos, long firstNanos, long allNanos, long[] perBucket,
                 List<Map.Entry<String, Long>> written) {

    /** The benchmark's own stack: an account and batch of its own. */
    static final Names OWN = new Names("bench-admission", "bench-admission");
    static final Duration BUCKET = Duration.ofSeconds(5);
    private static final Duration SAMPLE = Duration.ofMillis(100);

    /** The account and batch of the phase's jobs; request ids start with the batch's name. */
    record Names(String account, String batch) {
    }

    /** The i-th request of the phase. */
    static SeparationRequest request(final Names names, final int i, final Instant at) {
        final String id = String.format(Locale.ROOT, "%s-%07d", names.batch(), i);
        return SeparationRequest.newBuilder().setRequestId(id).setAccountId(names.account()).setBatchId(names.batch())
                .setTaskId("task-" + i).setAudioId("audio-" + i).setType(SeparationType.SEPARATE_VOCAL)
                .setRequestedAt(at).setLabels(Map.of()).setPriority(Priority.BULK).build();
    }

    /**
     * @param held the jobs the scheduler holds that count (all of them on the benchmark's own stack; the batch's
     *             on a deployment), or -1 while it cannot say
     */
    static Admission run(final Admin admin, final KafkaProducer<String, SpecificRecord> producer,
                         final BenchQuery query, final Names names, final LongSupplier held, final int jobs,
                         final Duration deadline, final Progress progress) {
        Credits.grant(producer, query, names.account(), (long) jobs * io.stemflow.schemas.ProviderCosts.SEPARATE_VOCAL);
        final long before = Math.max(0, held.getAsLong());
        final Map<String, Long> offsetsBefore = TopicWrites.read(admin, t -> !t.equals(RawBaseline.TOPIC));
        final List<long[]> samples = new ArrayList<>();
        final long start = System.nanoTime();
        final Thread sampler = new Thread(() -> {
            final long end = start + deadline.toNanos();
            long admitted = 0;
            while (admitted < jobs && System.nanoTime() < end) {
                final long q = held.getAsLong();
                if (q >= 0) {
                    admitted = q - before;
                    synchronized (samples) {
                        samples.add(new long[] {System.nanoTime() - start, admitted});
                    }
                    progress.show("admitted", admitted, jobs);
                }
                Waits.pause(SAMPLE);
            }
        }, "bench-admission-sampler");
        sampler.setDaemon(true);
        sampler.start();
        final long produced = produce(producer, names, jobs);
        try {
            sampler.join(deadline.toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for admission", e);
        }
        progress.done();
        final List<long[]> seen;
        synchronized (samples) {
            seen = List.copyOf(samples);
        }
        final long[] last = seen.isEmpty() ? new long[] {0, 0} : seen.get(seen.size() - 1);
        if (last[1] < jobs) {
            throw new IllegalStateException(String.format(Locale.ROOT, "only %,d of %,d jobs were admitted within %d s",
                    last[1], jobs, deadline.toSeconds()));
        }
        final Map<String, Long> offsetsAfter = TopicWrites.read(admin, t -> !t.equals(RawBaseline.TOPIC));
        final long first = seen.stream().filter(s -> s[1] > 0).findFirst().map(s -> s[0]).orElse(last[0]);
        return new Admission(jobs, produced, first, last[0], buckets(seen), TopicWrites.between(offsetsBefore,
                offsetsAfter));
    }

    private static long produce(final KafkaProducer<String, SpecificRecord> producer, final Names names,
                                final int jobs) {
        final Acks acks = new Acks();
        final Instant at = Instant.now();
        final long start = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            final SeparationRequest r = request(names, i, at);
            producer.send(new ProducerRecord<>(TopicNames.REQUESTS_BULK, r.getRequestId(), r), acks);
        }
        producer.flush();
        acks.check("requests");
        return System.nanoTime() - start;
    }

    /** Jobs admitted in each bucket: the count at its end (the last sample before it ends) minus the one before. */
    static long[] buckets(final List<long[]> samples) {
        if (samples.isEmpty()) {
            return new long[0];
        }
        final long bucket = BUCKET.toNanos();
        final long end = samples.get(samples.size() - 1)[0];
        final int n = (int) (end / bucket) + 1;
        final long[] counts = new long[n];
        long previous = 0;
        int s = 0;
        for (int b = 0; b < n; b++) {
            final long boundary = (b + 1) * bucket;
            long at = previous;
            while (s < samples.size() && samples.get(s)[0] <= boundary) {
                at = samples.get(s)[1];
                s++;
            }
            counts[b] = at - previous;
            previous = at;
        }
        return counts;
    }

    double endToEndPerSecond() {
        return jobs * 1e9 / allNanos;
    }

    /**
     * The median rate of the whole 5 s buckets from the first admission on, stalled ones left out: how fast
     * admission goes while it goes.
     */
    double steadyPerSecond() {
        final int firstBucket = (int) (firstNanos / BUCKET.toNanos());
        final int whole = Math.max(firstBucket + 1, perBucket.length - 1);
        final long[] steady = Arrays.stream(perBucket, Math.min(firstBucket, perBucket.length),
                Math.min(whole, perBucket.length)).filter(c -> c > 0).toArray();
        if (steady.length == 0) {
            return endToEndPerSecond();
        }
        Arrays.sort(steady);
        return steady[steady.length / 2] / (double) BUCKET.toSeconds();
    }

    /** Buckets before the last one in which nothing was admitted: a stall. */
    long stalledBuckets() {
        return Arrays.stream(perBucket, 0, Math.max(0, perBucket.length - 1)).filter(c -> c == 0).count();
    }

    long recordsWritten() {
        return written.stream().mapToLong(Map.Entry::getValue).sum();
    }

    double recordsPerJob() {
        return recordsWritten() / (double) jobs;
    }
}
