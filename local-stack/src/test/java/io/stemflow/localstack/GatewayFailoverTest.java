package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.EmulatorCounters;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.RateLimit;
import io.stemflow.gateway.GatewayConfig;
import io.stemflow.schemas.Contract;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.RepositoryFiles;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover of the provider gateway between two real processes ({@code GatewayMain} children on this JVM's
 * classpath, as the local stack starts its children): two instances share one provider key, one is active and uses
 * the whole limit, the other is a hot standby. The active one is killed with SIGKILL in the middle of a backlog.
 * The survivor takes over once the dead one's session has timed out (6 s here) and, because the dead instance left
 * the group by its session expiring (its last call ended at least session - heartbeat = 5 s before, more than the
 * window + margin of 1.02 s), holds no call ({@code session-expired} takeover, hold 0: its metrics say so); then it
 * uses the whole limit again. Throughout: no 430 and never more than the limit in any sliding window (the
 * emulator's count); every admitted job ends with exactly one outcome on the submissions topic; the jobs the dead
 * instance had started and not committed are submitted again by the survivor (at most {@code IN_FLIGHT} of them).
 *
 * <p>Measured on the emulator's acceptances, sampled every 5 ms: the failover time is from the kill to the first
 * moment at which the emulator had accepted the whole limit within the last window (all of it after the kill). It
 * is bounded by session timeout + heartbeat interval (the dead instance's session ends up to one heartbeat before
 * "kill + session", and the standby hears of it at its next heartbeat, up to one heartbeat later) + an
 * {@link #ALLOWANCE}. Issue 14's target, session timeout + one window (7 s here), is printed as met or not met: it
 * leaves one window (1 s here) for the heartbeat's plus or minus 1 s, the rebalance, the takeover and a cold first
 * call and ramp, and was met in 2 of 15 runs measured (6.5 to 8.6 s at load averages up to about 9;
 * gateway/README.md): not reliably enough to assert.
 */
@WithKafkaStack
class GatewayFailoverTest {

    /** The measured figures' logger (INFO here; this module's test logging is at WARN otherwise). */
    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final String API_KEY = "sk-failover-test-5b2e8c1d9a7f3e60";
    private static final String HMAC_KEY = "hmac-failover-test-3c9d1e7a5b2f4e8d";
    private static final int LIMIT = 20;
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofMillis(20);
    private static final Duration SESSION = Duration.ofSeconds(6);
    /** The gateway's heartbeat interval for this session: min(1 s, session / 3). */
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final int IN_FLIGHT = 8;
    private static final int JOBS = 400;
    /** Accepted calls before the kill: a few windows of steady work. */
    private static final int KILL_AFTER = 3 * LIMIT;
    /**
     * On top of session + heartbeat: the rebalance, fencing the dead instance's transactional id (InitProducerId
     * aborts its open transaction: about 0.27 s), reading the offsets, committing the takeover marker (the first
     * transaction of a cold producer: about 0.15 s), the survivor's cold first call (fetch, the first decoding and
     * registry lookup, the first HTTP request: about 0.5 to 1 s) and the ramp to the whole limit through an
     * in-flight window (8) smaller than the limit (20): about 0.35 to 0.8 s. The failover exceeded session +
     * heartbeat by at most 1.6 s at load averages up to about 9 on this shared 2-core machine, by 2.1 and 4.5 s at
     * 11 to 13 (the latter over this allowance: the survivor's cold first call took 3.1 s).
     */
    private static final Duration ALLOWANCE = Duration.ofSeconds(3);

    @BeforeAll
    static void showFigures() {
        Configurator.setLevel("stemflow.figures", Level.INFO);
    }

    @Test
    void shouldUseTheWholeLimitFromTheSurvivorWhenTheActiveInstanceIsKilled(final TestStack stack) throws Exception {
        // given: the emulator (20 per 1 s, sliding), the gateway's topics, two gateway processes
        final String admitted = stack.uniqueTopic("failover-admitted");
        final String submissions = stack.uniqueTopic("failover-submissions");
        final String reconcile = stack.uniqueTopic("failover-reconcile");
        final String results = stack.uniqueTopic("failover-results");
        final String dlq = stack.uniqueTopic("failover-dlq");
        stack.createTopics(3, admitted, submissions, reconcile, results, dlq);
        try (ProviderEmulator emulator = ProviderEmulator.start(EmulatorConfig.builder().host("127.0.0.1").port(0)
                .apiKey(API_KEY).seed(20_261_206L).rateLimit(new RateLimit(LIMIT, WINDOW, 430))
                .processingTime(ProcessingTime.fixed(Duration.ofHours(1))).callbackTimeout(Duration.ofSeconds(2))
                .timeScale(0.001).build());
             Acceptances acceptances = Acceptances.sample(emulator)) {
            final Map<String, String> env = env(stack, emulator, admitted, submissions, reconcile, results, dlq);
            final Map<String, Gateway> gateways = new LinkedHashMap<>();
            try {
                for (final String instance : List.of("0", "1")) {
                    gateways.put(instance, Gateway.start(instance, env));
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> gateways.values().stream().filter(Gateway::active).count() == 1);
                final Gateway active = gateways.values().stream().filter(Gateway::active).findFirst().orElseThrow();
                final Gateway standby = gateways.values().stream().filter(g -> g != active).findFirst()
                        .orElseThrow();

                // when: a backlog, and SIGKILL of the active instance in the middle of it
                admit(stack, admitted, JOBS);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> emulator.control().counters().tasksAccepted() >= KILL_AFTER);
                final long killedAt = System.nanoTime();
                final long acceptedAtKill = emulator.control().counters().tasksAccepted();
                active.kill();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(standby::active);
                final long standbyActiveAt = System.nanoTime();

                // then: every job has exactly one outcome
                final Map<String, List<SubmissionOutcome>> byKey = readOutcomes(stack, submissions, JOBS,
                        Duration.ofSeconds(120));
                final EmulatorCounters counters = emulator.control().counters();
                final long duplicates = counters.tasksAccepted() - JOBS;
                final long fullWindowAt = acceptances.wholeLimitReachedAfter(killedAt, WINDOW.toNanos(), LIMIT);
                final long survivorFirstCall = acceptances.firstIncreaseAfter(killedAt + SESSION.toNanos() / 2);
                final Duration failover = Duration.ofNanos(fullWindowAt - killedAt);
                final Duration bound = SESSION.plus(HEARTBEAT).plus(ALLOWANCE);
                final Duration target = SESSION.plus(WINDOW);
                final double sessionExpiredTakeovers = standby.metric(
                        "stemflow_gateway_takeovers_total{hold=\"session-expired\"}");
                final double holdSeconds = standby.metric("stemflow_gateway_takeover_hold_seconds");
                FIGURES.info("SIGKILL of active instance {} after {} acceptances; standby {} active {} ms later"
                                + " (metrics poll; takeover hold {} ms, session-expired takeovers {}); survivor's first"
                                + " accepted call {} ms after the kill; whole limit ({} in one window) {} ms after the"
                                + " kill (session {} ms, heartbeat {} ms): issue 14's target of session + one window"
                                + " ({} ms) {}; {} jobs, {} outcomes; {} jobs submitted twice (in-flight window {});"
                                + " most accepted in one window {}, 430 answers {}; answers {}",
                        active.instance, acceptedAtKill, standby.instance,
                        (standbyActiveAt - killedAt) / 1_000_000, Math.round(holdSeconds * 1000),
                        sessionExpiredTakeovers, (survivorFirstCall - killedAt) / 1_000_000,
                        LIMIT, failover.toMillis(), SESSION.toMillis(), HEARTBEAT.toMillis(), target.toMillis(),
                        failover.compareTo(target) <= 0 ? "met" : "NOT met",
                        JOBS, byKey.values().stream().mapToInt(List::size).sum(),
                        duplicates, IN_FLIGHT, counters.highestRequestsInWindow(), counters.requests(430),
                        counters.requestsByCode());
                assertThat(byKey).hasSize(JOBS)
                        .allSatisfy((id, list) -> assertThat(list).as("outcomes of %s", id).hasSize(1));
                assertThat(counters.requests(430)).isZero();
                assertThat(counters.highestRequestsInWindow()).isLessThanOrEqualTo(LIMIT);
                assertThat(duplicates).isBetween(0L, (long) IN_FLIGHT);
                assertThat(sessionExpiredTakeovers).as("the survivor's takeover: the dead one's session expired")
                        .isEqualTo(1.0);
                assertThat(holdSeconds).as("the survivor's takeover hold").isZero();
                assertThat(failover).isLessThanOrEqualTo(bound);
                assertThat(Duration.ofNanos(survivorFirstCall - killedAt))
                        .isGreaterThanOrEqualTo(SESSION.minus(HEARTBEAT));
            } finally {
                gateways.values().forEach(Gateway::close);
            }
        }
    }

    private static Map<String, String> env(final TestStack stack, final ProviderEmulator emulator,
                                           final String admitted, final String submissions, final String reconcile,
                                           final String results, final String dlq) {
        final Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.PROVIDER_BASE_URL, emulator.baseUrl().toString());
        env.put(GatewayConfig.PROVIDER_API_KEY, API_KEY);
        env.put(GatewayConfig.CALLBACK_HMAC_KEY, HMAC_KEY);
        env.put(GatewayConfig.BRIDGE_PUBLIC_URL, "http://127.0.0.1:9/bridge");
        env.put(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS, stack.bootstrapServers());
        env.put(GatewayConfig.SCHEMA_REGISTRY_URL, stack.registryUrl().toString());
        env.put(GatewayConfig.TOPIC_ADMITTED, admitted);
        env.put(GatewayConfig.TOPIC_SUBMISSIONS, submissions);
        env.put(GatewayConfig.TOPIC_RECONCILE, reconcile);
        env.put(GatewayConfig.TOPIC_RESULTS, results);
        env.put(GatewayConfig.TOPIC_DLQ, dlq);
        env.put(GatewayConfig.APPLICATION_ID, stack.uniqueTopic("failover-gateway"));
        env.put(GatewayConfig.RATE_LIMIT_REQUESTS, Integer.toString(LIMIT));
        env.put(GatewayConfig.RATE_LIMIT_WINDOW, "1s");
        env.put(GatewayConfig.RATE_LIMIT_MARGIN, MARGIN.toMillis() + "ms");
        env.put(GatewayConfig.SESSION_TIMEOUT, SESSION.toSeconds() + "s");
        env.put(GatewayConfig.IN_FLIGHT, Integer.toString(IN_FLIGHT));
        env.put(GatewayConfig.COMMIT_INTERVAL, "50ms");
        env.put(GatewayConfig.RETRY_INITIAL_BACKOFF, "50ms");
        env.put(GatewayConfig.RETRY_MAX_BACKOFF, "400ms");
        env.put(GatewayConfig.THROTTLE_INITIAL_BACKOFF, "200ms");
        env.put(GatewayConfig.THROTTLE_MAX_BACKOFF, "2s");
        env.put(GatewayConfig.PROVIDER_REQUEST_TIMEOUT, "5s");
        env.put(GatewayConfig.HTTP_HOST, "127.0.0.1");
        // the image's logging (stemflow at INFO): takeovers, assignments and fencing show in the children's logs
        env.put("LOG4J_CONFIGURATION_FILE", RepositoryFiles.root().resolve("docker/log4j2.xml").toString());
        return env;
    }

    private static void admit(final TestStack stack, final String topic, final int jobs) {
        Contract.trustGeneratedClasses(); // the builder fills the Priority default through Avro's class check
        try (KafkaProducer<String, AdmittedJob> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(AdmittedJob.class, stack.serdeConfig(), false)
                .serializer())) {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                final String id = "failover-" + i;
                final SeparationRequest request = SeparationRequest.newBuilder().setRequestId(id)
                        .setAccountId("team-a").setBatchId("batch-1").setTaskId("music-" + id)
                        .setAudioId("audio-" + id).setType(SeparationType.SEPARATE_VOCAL)
                        .setRequestedAt(Instant.parse("2026-12-06T10:00:00Z")).build();
                sent.add(producer.send(new ProducerRecord<>(topic, id, AdmittedJob.newBuilder().setRequest(request)
                        .setReservedCredits(10).setAdmittedAt(Instant.now()).build())));
            }
            for (final Future<RecordMetadata> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while admitting jobs", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("admitting jobs failed", e);
        }
    }

    /** Reads the outcomes (read_committed, from the beginning) until every job has one, then to the end. */
    private static Map<String, List<SubmissionOutcome>> readOutcomes(final TestStack stack, final String topic,
                                                                      final int jobs, final Duration timeout) {
        final Map<String, List<SubmissionOutcome>> byKey = new LinkedHashMap<>();
        try (KafkaConsumer<String, SubmissionOutcome> consumer = new KafkaConsumer<>(
                stack.consumerConfig(stack.uniqueTopic("failover-reader")), new StringDeserializer(),
                AvroSerdes.specific(SubmissionOutcome.class, stack.serdeConfig(), false).deserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (byKey.size() < jobs && System.nanoTime() - deadline < 0) {
                for (final ConsumerRecord<String, SubmissionOutcome> r : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                }
            }
            // then to the end offsets as they are now: a second outcome for a job would show
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() - deadline < 0) {
                for (final ConsumerRecord<String, SubmissionOutcome> r : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                }
            }
        }
        return byKey;
    }

    /** One gateway process and its metrics endpoint. */
    private static final class Gateway implements AutoCloseable {

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

        private final String instance;
        private final ChildProcess process;
        private final URI metrics;

        private Gateway(final String instance, final ChildProcess process, final URI metrics) {
            this.instance = instance;
            this.process = process;
            this.metrics = metrics;
        }

        static Gateway start(final String instance, final Map<String, String> common) {
            final int port = freePort();
            final Map<String, String> env = new HashMap<>(common);
            env.put(GatewayConfig.INSTANCE_ID, instance);
            env.put(GatewayConfig.HTTP_PORT, Integer.toString(port));
            final URI base = URI.create("http://127.0.0.1:" + port);
            final ChildProcess process = ChildProcess.start("gateway " + instance, "io.stemflow.gateway.GatewayMain",
                    env, Path.of("target", "gateway-failover", "gateway-" + instance + ".log"),
                    base.resolve("/health"), Duration.ofSeconds(60));
            return new Gateway(instance, process, base.resolve("/metrics"));
        }

        /** Whether its {@code stemflow_gateway_active} gauge reads 1; false when it does not answer. */
        boolean active() {
            try {
                return value(scrape(), "stemflow_gateway_active") == 1.0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** The value of the metric whose line starts with {@code series} (name and labels); 0 when absent. */
        double metric(final String series) throws IOException, InterruptedException {
            return value(scrape(), series);
        }

        private String scrape() throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        private static double value(final String body, final String series) {
            return body.lines().filter(line -> line.startsWith(series + " "))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElse(0);
        }

        /** SIGKILL ({@link ProcessHandle#destroyForcibly()}), and wait until it is gone. */
        void kill() throws Exception {
            final ProcessHandle handle = ProcessHandle.of(process.pid()).orElseThrow();
            handle.destroyForcibly();
            assertThat(process.onExit().get(30, TimeUnit.SECONDS)).as("exit code after SIGKILL").isEqualTo(137);
        }

        @Override
        public void close() {
            process.close();
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The emulator's count of accepted tasks, sampled every 5 ms on a thread of its own: (nano time, count). */
    private static final class Acceptances implements AutoCloseable {

        private final List<long[]> samples = new ArrayList<>();
        private final Thread sampler;
        private volatile boolean running = true;

        private Acceptances(final ProviderEmulator emulator) {
            this.sampler = new Thread(() -> {
                while (running) {
                    final long accepted = emulator.control().counters().tasksAccepted();
                    synchronized (samples) {
                        samples.add(new long[] {System.nanoTime(), accepted});
                    }
                    try {
                        TimeUnit.MILLISECONDS.sleep(5); // the sampling period, not synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "acceptance-sampler");
            sampler.setDaemon(true);
        }

        static Acceptances sample(final ProviderEmulator emulator) {
            final Acceptances acceptances = new Acceptances(emulator);
            acceptances.sampler.start();
            return acceptances;
        }

        /**
         * The first moment after {@code from} at which the last {@code windowNanos} (all after {@code from}) saw at
         * least {@code limit} acceptances: from then on the whole limit is in use.
         */
        long wholeLimitReachedAfter(final long from, final long windowNanos, final int limit) {
            final List<long[]> all = snapshot();
            for (final long[] sample : all) {
                if (sample[0] - from <= 0) {
                    continue;
                }
                final long windowStart = Math.max(from, sample[0] - windowNanos);
                if (sample[1] - countAt(all, windowStart) >= limit) {
                    return sample[0];
                }
            }
            throw new AssertionError("no window with " + limit + " acceptances after the kill");
        }

        /** Time of the first sample after {@code from} whose count is higher than the count at {@code from}. */
        long firstIncreaseAfter(final long from) {
            final List<long[]> all = snapshot();
            final long base = countAt(all, from);
            return all.stream().filter(s -> s[0] - from > 0 && s[1] > base).findFirst()
                    .orElseThrow(() -> new AssertionError("no acceptance after the kill")).clone()[0];
        }

        private static long countAt(final List<long[]> all, final long at) {
            long count = 0;
            for (final long[] sample : all) {
                if (sample[0] - at > 0) {
                    break;
                }
                count = sample[1];
            }
            return count;
        }

        private List<long[]> snapshot() {
            synchronized (samples) {
                return List.copyOf(samples);
            }
        }

        @Override
        public void close() {
            running = false;
            sampler.interrupt();
        }
    }
}
