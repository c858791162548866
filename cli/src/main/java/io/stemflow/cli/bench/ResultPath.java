package io.stemflow.cli.bench;

import io.stemflow.avro.Priority;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemUrl;
import io.stemflow.schemas.ProviderCosts;
import io.stemflow.schemas.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The result path: split_stem jobs (12 stems each) made ready for their results (requested, admitted, handed on,
 * accepted by the benchmark's {@link SubmitterRole}), then their results written to {@code separation-results} as
 * the bridge writes them: first a burst, all at once; then some at the provider's pace, one at a time; then
 * callbacks through the bridge ({@link BridgeRun}). Every job's completion is seen by a read_committed consumer of
 * {@code separation-stems} ({@link StemWatch}).
 *
 * @param burst        jobs whose results came in the burst
 * @param burstNanos   from the burst's first send to the last stem of its last job
 * @param burstLatency from each burst result's send to its job's last stem
 * @param paced        from each paced result's send to its job's last stem
 * @param pace         paced results per second
 * @param bridge       the callbacks' figures
 */
record ResultPath(int burst, long burstNanos, Latencies burstLatency, Latencies paced, double pace, BridgeRun bridge) {

    static final String ACCOUNT = "bench-results";
    static final String BATCH = "bench-results";
    static final String PREFIX = "bench-r-";
    static final List<Stem> STEMS = List.of(Stem.VOCALS, Stem.BACKING_VOCALS, Stem.DRUMS, Stem.BASS, Stem.GUITAR,
            Stem.KEYBOARD, Stem.STRINGS, Stem.BRASS, Stem.WOODWINDS, Stem.PERCUSSION, Stem.SYNTH, Stem.FX);

    /** Sizes of the phase. */
    record Sizes(int burst, int paced, double pace, int callbacks, int concurrency) {

        int total() {
            return burst + paced + callbacks;
        }
    }

    static String id(final int i) {
        return String.format(Locale.ROOT, "%s%07d", PREFIX, i);
    }

    static ResultPath run(final BenchStack stack, final KafkaProducer<String, SpecificRecord> producer,
                          final BenchQuery query, final Sizes sizes, final Duration deadline, final Progress progress) {
        final int total = sizes.total();
        Credits.grant(producer, query, ACCOUNT, (long) total * ProviderCosts.SPLIT_STEM);
        try (StemWatch stems = new StemWatch(stack.kafka(), STEMS.size());
             SubmitterRole submitter = new SubmitterRole(stack.kafka(), producer, PREFIX)) {
            requests(producer, total);
            final long end = System.nanoTime() + deadline.toNanos();
            while (query.inState(BATCH, "SUBMITTED") < total) {
                submitter.check();
                if (System.nanoTime() > end) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "only %,d of %,d result-path jobs were"
                            + " SUBMITTED after %d s", query.inState(BATCH, "SUBMITTED"), total, deadline.toSeconds()));
                }
                progress.show("jobs ready for their results", query.inState(BATCH, "SUBMITTED"), total);
                Waits.pause(Duration.ofMillis(250));
            }
            progress.done();

            final List<String> burstIds = IntStream.range(0, sizes.burst()).mapToObj(ResultPath::id).toList();
            final long[] sentAt = new long[total];
            final Acks acks = new Acks();
            final long burstStart = System.nanoTime();
            for (int i = 0; i < sizes.burst(); i++) {
                sentAt[i] = System.nanoTime();
                send(producer, id(i), acks);
            }
            producer.flush();
            acks.check("burst results");
            stems.awaitAll(burstIds, deadline, progress, "burst jobs complete");
            final long burstEnd = burstIds.stream().mapToLong(stems::completedAt).max().orElse(burstStart);
            final Latencies burstLatency = Latencies.ofNanos(IntStream.range(0, sizes.burst())
                    .mapToLong(i -> stems.completedAt(id(i)) - sentAt[i]).toArray());

            final List<String> pacedIds = IntStream.range(sizes.burst(), sizes.burst() + sizes.paced())
                    .mapToObj(ResultPath::id).toList();
            final long interval = (long) (1e9 / sizes.pace());
            long next = System.nanoTime();
            for (int i = sizes.burst(); i < sizes.burst() + sizes.paced(); i++) {
                LockSupport.parkNanos(next - System.nanoTime()); // the provider's pace, not a wait for anything
                next += interval;
                sentAt[i] = System.nanoTime();
                send(producer, id(i), acks);
                producer.flush();
                progress.show("paced results sent", i - sizes.burst() + 1, sizes.paced());
            }
            progress.done();
            acks.check("paced results");
            stems.awaitAll(pacedIds, deadline, progress, "paced jobs complete");
            final Latencies paced = Latencies.ofNanos(IntStream.range(sizes.burst(), sizes.burst() + sizes.paced())
                    .mapToLong(i -> stems.completedAt(id(i)) - sentAt[i]).toArray());

            final List<String> callbackIds = IntStream.range(sizes.burst() + sizes.paced(), total)
                    .mapToObj(ResultPath::id).toList();
            final BridgeRun bridge = BridgeRun.run(stack.bridgeUrl(), stack.callbackToken(), callbackIds,
                    sizes.concurrency(), deadline, progress);
            stems.awaitAll(callbackIds, deadline, progress, "jobs of the callbacks complete");
            return new ResultPath(sizes.burst(), burstEnd - burstStart, burstLatency, paced, sizes.pace(), bridge);
        }
    }

    private static void requests(final KafkaProducer<String, SpecificRecord> producer, final int total) {
        final Acks acks = new Acks();
        final Instant at = Instant.now();
        for (int i = 0; i < total; i++) {
            final SeparationRequest r = SeparationRequest.newBuilder().setRequestId(id(i)).setAccountId(ACCOUNT)
                    .setBatchId(BATCH).setTaskId("task-" + i).setAudioId("audio-" + i)
                    .setType(SeparationType.SPLIT_STEM).setRequestedAt(at).setLabels(Map.of())
                    .setPriority(Priority.NORMAL).build();
            producer.send(new ProducerRecord<>(TopicNames.REQUESTS, r.getRequestId(), r), acks);
        }
        producer.flush();
        acks.check("result-path requests");
    }

    /** The result the bridge would write for the job's successful callback. */
    static SeparationResult result(final String requestId) {
        return SeparationResult.newBuilder().setRequestId(requestId).setProviderTaskId(SubmitterRole.taskOf(requestId))
                .setCode(200).setMessage("separation completed")
                .setStems(STEMS.stream().map(s -> new StemUrl(s, url(requestId, s))).toList())
                .setSource(ResultSource.CALLBACK).setReceivedAt(Instant.now()).build();
    }

    static String url(final String requestId, final Stem stem) {
        return "https://files.provider.example/bench/" + requestId + "/" + stem.name().toLowerCase(Locale.ROOT) + ".mp3";
    }

    private static void send(final KafkaProducer<String, SpecificRecord> producer, final String requestId,
                             final Acks acks) {
        producer.send(new ProducerRecord<>(TopicNames.RESULTS, requestId, result(requestId)), acks);
    }

    double resultsPerSecond() {
        return burst * 1e9 / burstNanos;
    }

    double stemsPerSecond() {
        return burst * (double) STEMS.size() * 1e9 / burstNanos;
    }
}
