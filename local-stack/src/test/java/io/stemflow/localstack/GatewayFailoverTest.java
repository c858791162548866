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
 * The survivor takes over once the dead one's session has timed out (6 s here). The dead instance left the group by
 * its session expiring, so its last call ended at least session - heartbeat = 5 s before the takeover; the survivor
 * holds its calls only for what that does not cover of window + margin ({@code session-expired} takeover, hold
 * {@code max(0, window + margin - (session - heartbeat))}: its metrics say so; see {@code TakeoverHold}); then it
 * uses the whole limit again. Both methods assert, throughout: no 430 and never more than the limit in any sliding
 * window (the emulator's count); the survivor's first accepted call at least session - heartbeat + hold after the
 * kill; every admitted job ends with exactly one outcome on the submissions topic; the jobs the dead instance had
 * started and not committed are submitted again by the survivor (at most {@code IN_FLIGHT} of them).
 *
 * <p>Measured on the emulator's acceptances, sampled every 5 ms: the failover time is from the kill to the first
 * moment at which the emulator had accepted the whole limit within the last window (all of it after the kill).
 * Issue 14's target is session timeout + one window. What each method shows:
 * <ul>
 *   <li>{@link #shouldUseTheWholeLimitFromTheSurvivorWhenTheActiveInstanceIsKilled}: a compressed window (20 calls
 *       per 1 s), so that many windows of steady work pass before the kill. Hold 0 (window + margin, 1.02 s, is
 *       less than 5 s). The failover is bounded by session timeout + heartbeat interval (the dead instance's
 *       session ends up to one heartbeat before "kill + session", and the standby hears of it at its next
 *       heartbeat, up to one heartbeat later) + an {@link #ALLOWANCE}, and that is asserted. Issue 14's target (7 s
 *       here) is printed as met or not met: it leaves one window (1 s here) for the heartbeat's plus or minus 1 s,
 *       the rebalance, the takeover and a cold first call and ramp, and was met in 2 of 15 runs measured (6.5 to
 *       8.6 s at load averages up to about 9; gateway/README.md): not reliably enough to assert.</li>
 *   <li>{@link #shouldUseTheWholeLimitWithinSessionAndOneWindowWhenTheActiveGatewayIsKilledAtTheProvidersOwnLimit}:
 *       the provider's own limit, 20 calls per 10 s, and issue 14's statement as written: the target (16 s) is
 *       asserted. The survivor holds 10.02 - 5 = 5.02 s, so its first call starts at least window + margin after
 *       the dead one's last ended, and no sliding window of the emulator holds calls of both. The failover is
 *       session (plus or minus a heartbeat) + hold + the cold first call and the ramp, about 12 s, which leaves
 *       about 4 s of the target for the heartbeat's jitter and a slow first call: measured 11.3 to 13.7 s in 5 runs
 *       at load averages of 2 to 8 (first call 10.8 to 12.9 s, ramp 0.45 to 0.8 s). To keep the run near a minute
 *       the backlog is three windows' worth and the kill comes in the middle of the second window's calls, with
 *       up to {@code IN_FLIGHT} calls out.</li>
 * </ul>
 */
@WithKafkaStack
class GatewayFailoverTest {

    /** The gateways' /metrics needs a viewer token (issue 15). */
    private static final String VIEWER_TOKEN = "failover-viewer-token-0123456789";

    /** The measured figures' logger (INFO here; this module's test logging is at WARN otherwise). */
    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final String API_KEY = "sk-failover-test-5b2e8c1d9a7f3e60";
    private static final String HMAC_KEY = "hmac-failover-test-3c9d1e7a5b2f4e8d";
    /** The provider's calls per window, 20, in both methods; only the window differs. */
    private static final int LIMIT = RateLimit.PROVIDER_DEFAULT.requests();
    private static final Duration MARGIN = Duration.ofMillis(20);
    private static final Duration SESSION = Duration.ofSeconds(6);
    /** The gateway's heartbeat interval for this session: min(1 s, session / 3). */
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final int IN_FLIGHT = 8;
    /**
     * The compressed window's bound on top of session + heartbeat: the rebalance, fencing the dead instance's
     * transactional id (InitProducerId aborts its open transaction: about 0.27 s), reading the offsets, committing
     * the takeover marker (the first transaction of a cold producer: about 0.15 s), the survivor's cold first call
     * (fetch, the first decoding and registry lookup, the first HTTP request: about 0.5 to 1 s) and the ramp to the
     * whole limit through an in-flight window (8) smaller than the limit (20): about 0.35 to 0.8 s. The failover
     * exceeded session + heartbeat by at most 1.6 s at load averages up to about 9 on this shared 2-core machine, by
     * 2.1 and 4.5 s at 11 to 13 (the latter over this allowance: the survivor's cold first call took 3.1 s), and
     * by 3.3 s once at about 6 to 8 (standby active 7.6 s after the kill, its first call 1.2 s later, a ramp of
     * 1.5 s). The bound is a guard against a takeover that waits for something it should not (a hold, a second
     * rebalance), not the target; 5 s leaves room for a loaded machine.
     */
    private static final Duration ALLOWANCE = Duration.ofSeconds(5);

    @BeforeAll
    static void showFigures() {
        Configurator.setLevel("stemflow.figures", Level.INFO);
    }

    @Test
    void shouldUseTheWholeLimitFromTheSurvivorWhenTheActiveInstanceIsKilled(final TestStack stack) throws Exception {
        // given: the window compressed to 1 s (20 per 1 s, sliding), a backlog of 400 jobs
        final Scenario scenario = new Scenario(Duration.ofSeconds(1), 400, 3 * LIMIT);

        // when: SIGKILL of the active instance after three windows of steady work
        final Failover run = killTheActiveInstanceMidBacklog(stack, scenario);

        // then
        assertSafeTakeover(scenario, run);
        assertThat(run.wholeLimit()).as("the whole limit again, after the kill")
                .isLessThanOrEqualTo(SESSION.plus(HEARTBEAT).plus(ALLOWANCE));
    }

    @Test
    void shouldUseTheWholeLimitWithinSessionAndOneWindowWhenTheActiveGatewayIsKilledAtTheProvidersOwnLimit(
            final TestStack stack) throws Exception {
        // given: the provider's own limit (20 per 10 s, sliding), a backlog of three windows' worth: the dead
        // instance can have called at most two windows' worth before the kill, so the survivor has a whole limit
        final Scenario scenario = new Scenario(RateLimit.PROVIDER_DEFAULT.window(), 3 * LIMIT, LIMIT + LIMIT / 2);

        // when: SIGKILL of the active instance in the middle of its second window's calls
        final Failover run = killTheActiveInstanceMidBacklog(stack, scenario);

        // then: issue 14's target, session timeout + one window
        assertSafeTakeover(scenario, run);
        assertThat(run.wholeLimit()).as("the whole limit again, after the kill (issue 14's target)")
                .isLessThanOrEqualTo(scenario.target());
    }

    /**
     * One run's set-up.
     *
     * @param window    the provider's sliding window, the emulator's and the gateways' ({@link #LIMIT} calls in it)
     * @param jobs      the backlog, admitted at once
     * @param killAfter the emulator's accepted calls at which the active instance is killed
     */
    private record Scenario(Duration window, int jobs, int killAfter) {

        /** Issue 14's target: the survivor uses the whole limit within session timeout + one window. */
        Duration target() {
            return SESSION.plus(window);
        }

        /** The survivor's takeover hold after a crash: what session - heartbeat leaves of window + margin. */
        Duration hold() {
            final Duration hold = window.plus(MARGIN).minus(SESSION.minus(HEARTBEAT));
            return hold.isNegative() ? Duration.ZERO : hold;
        }
    }

    /**
     * What one run measured; the durations are from the kill.
     *
     * @param firstCall  to the survivor's first accepted call
     * @param wholeLimit to the first moment at which the last window held the whole limit, all of it after the kill
     * @param hold       the survivor's takeover hold, from its metrics
     */
    private record Failover(Map<String, List<SubmissionOutcome>> outcomes, EmulatorCounters counters,
                            long duplicates, Duration firstCall, Duration wholeLimit,
                            double sessionExpiredTakeovers, Duration hold) {
    }

    /** What holds after every kill, whatever the window: see the class comment. */
    private static void assertSafeTakeover(final Scenario scenario, final Failover run) {
        assertThat(run.outcomes()).hasSize(scenario.jobs())
                .allSatisfy((id, list) -> assertThat(list).as("outcomes of %s", id).hasSize(1));
        assertThat(run.counters().requests(430)).isZero();
        assertThat(run.counters().highestRequestsInWindow()).isLessThanOrEqualTo(LIMIT);
        assertThat(run.duplicates()).isBetween(0L, (long) IN_FLIGHT);
        assertThat(run.sessionExpiredTakeovers()).as("the survivor's takeover: the dead one's session expired")
                .isEqualTo(1.0);
        assertThat(run.hold()).as("the survivor's takeover hold").isEqualTo(scenario.hold());
        assertThat(run.firstCall()).as("the survivor's first accepted call, after the kill")
                .isGreaterThanOrEqualTo(SESSION.minus(HEARTBEAT).plus(scenario.hold()));
    }

    /**
     * The emulator ({@link #LIMIT} per {@code scenario.window()}), the gateway's topics and two gateway processes;
     * once one of them is active, the backlog, and SIGKILL of the active one when the emulator has accepted
     * {@code scenario.killAfter()} calls; then every outcome read and the figures logged.
     */
    private static Failover killTheActiveInstanceMidBacklog(final TestStack stack, final Scenario scenario)
            throws Exception {
        final String admitted = stack.uniqueTopic("failover-admitted");
        final String submissions = stack.uniqueTopic("failover-submissions");
        final String reconcile = stack.uniqueTopic("failover-reconcile");
        final String results = stack.uniqueTopic("failover-results");
        final String dlq = stack.uniqueTopic("failover-dlq");
        stack.createTopics(3, admitted, submissions, reconcile, results, dlq);
        final Duration window = scenario.window();
        try (ProviderEmulator emulator = ProviderEmulator.start(EmulatorConfig.builder().host("127.0.0.1").port(0)
                .apiKey(API_KEY).seed(20_261_206L).rateLimit(new RateLimit(LIMIT, window, 430))
                .processingTime(ProcessingTime.fixed(Duration.ofHours(1))).callbackTimeout(Duration.ofSeconds(2))
                .timeScale(0.001).build());
             Acceptances acceptances = Acceptances.sample(emulator)) {
            final Map<String, String> env = env(stack, emulator, window, admitted, submissions, reconcile, results,
                    dlq);
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

                admit(stack, admitted, scenario.jobs());
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> emulator.control().counters().tasksAccepted() >= scenario.killAfter());
                final long killedAt = System.nanoTime();
                final long acceptedAtKill = emulator.control().counters().tasksAccepted();
                active.kill();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(standby::active);
                final long standbyActiveAt = System.nanoTime();

                final Map<String, List<SubmissionOutcome>> byKey = readOutcomes(stack, submissions, scenario.jobs(),
                        Duration.ofSeconds(120));
                final EmulatorCounters counters = emulator.control().counters();
                final long duplicates = counters.tasksAccepted() - scenario.jobs();
                final long fullWindowAt = acceptances.wholeLimitReachedAfter(killedAt, window.toNanos(), LIMIT);
                final long survivorFirstCall = acceptances.firstIncreaseAfter(killedAt + SESSION.toNanos() / 2);
                final Duration failover = Duration.ofNanos(fullWindowAt - killedAt);
                final double sessionExpiredTakeovers = standby.metric(
                        "stemflow_gateway_takeovers_total{hold=\"session-expired\"}");
                final Duration hold = Duration.ofMillis(
                        Math.round(standby.metric("stemflow_gateway_takeover_hold_seconds") * 1000));
                FIGURES.info("{} per {} ms: SIGKILL of active instance {} after {} acceptances; standby {} active {} ms"
                                + " later (metrics poll; takeover hold {} ms, session-expired takeovers {});"
                                + " survivor's first accepted call {} ms after the kill; whole limit ({} in one window)"
                                + " {} ms after the kill (session {} ms, heartbeat {} ms): issue 14's target of"
                                + " session + one window ({} ms) {}; {} jobs, {} outcomes; {} jobs submitted twice"
                                + " (in-flight window {}); most accepted in one window {}, 430 answers {}; answers {}",
                        LIMIT, window.toMillis(), active.instance, acceptedAtKill, standby.instance,
                        (standbyActiveAt - killedAt) / 1_000_000, hold.toMillis(), sessionExpiredTakeovers,
                        (survivorFirstCall - killedAt) / 1_000_000, LIMIT, failover.toMillis(), SESSION.toMillis(),
                        HEARTBEAT.toMillis(), scenario.target().toMillis(),
                        failover.compareTo(scenario.target()) <= 0 ? "met" : "NOT met", scenario.jobs(),
                        byKey.values().stream().mapToInt(List::size).sum(), duplicates, IN_FLIGHT,
                        counters.highestRequestsInWindow(), counters.requests(430), counters.requestsByCode());
                return new Failover(byKey, counters, duplicates, Duration.ofNanos(survivorFirstCall - killedAt),
                        failover, sessionExpiredTakeovers, hold);
            } finally {
                gateways.values().forEach(Gateway::close);
            }
        }
    }

    private static Map<String, String> env(final TestStack stack, final ProviderEmulator emulator,
                                           final Duration window, final String admitted,
                                           final String submissions, final String reconcile, final String results,
                                           final String dlq) {
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
        env.put(GatewayConfig.RATE_LIMIT_WINDOW, window.toMillis() + "ms");
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
        env.put("STEMFLOW_VIEWER_TOKENS", VIEWER_TOKEN);
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
            return HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2))
                            .header("Authorization", "Bearer " + VIEWER_TOKEN).build(),
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
