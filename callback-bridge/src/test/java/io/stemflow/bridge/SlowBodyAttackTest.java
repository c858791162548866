package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationResult;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probe of issue 15 that found the slow-body attack, as a test: holders of genuine callback
 * tokens open many connections and trickle their bodies a byte at a time. Before, each such request
 * held one of Jetty's threads for as long as bytes kept coming (an idle timeout, reset by each byte),
 * and with enough of them every callback and the health checks waited (about 36 s).
 *
 * <p>Now: the body is read without holding a thread, within a total deadline from the request's first
 * byte (408 and the connection closed); one client has at most a few callbacks in progress (429 with
 * {@code Retry-After}). Throughout, health answers within 1 s, a normal callback from another client
 * gets its 200, and nothing the attackers sent reaches the topic.
 */
@WithKafkaStack
@Tag("broker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowBodyAttackTest {

    private static final Logger LOG = LoggerFactory.getLogger(SlowBodyAttackTest.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    private static final int PER_CLIENT = 8;
    private static final String BODY = "{\"code\": 200, \"msg\": \"ok\", \"data\": {\"task_id\": \"task-1\","
            + " \"vocal_removal_info\": {\"vocal_url\": \"https://x/v.mp3\"}}}";

    private TestStack kafka;
    private String topic;
    private CallbackBridge bridge;
    private CallbackClient client;

    @BeforeAll
    void startBridge(final TestStack stack) {
        kafka = stack;
        topic = stack.uniqueTopic("results-slow-body");
        stack.createTopics(1, topic);
        final Map<String, String> env = Fixtures.env(stack.bootstrapServers(), stack.registryUrl().toString(), topic);
        env.put(CallbackLimits.ENV_READ_TIMEOUT_MS, Long.toString(READ_TIMEOUT.toMillis()));
        env.put(CallbackLimits.ENV_MAX_REQUESTS_PER_CLIENT, Integer.toString(PER_CLIENT));
        bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), Fixtures.CLOCK);
        client = new CallbackClient(bridge.url(), Fixtures.token());
    }

    @AfterAll
    void stopBridge() {
        bridge.close();
    }

    @Test
    void shouldAnswerHealthWithinOneSecondAndOtherCallbacksWith200WhenTokenHoldersTrickleBodies() {
        // given: 300 trickling connections (more than Jetty's 250 threads) from one address, 40 from each of
        // eight others; health and normal callbacks from 127.0.0.1
        final ConcurrentLinkedQueue<Long> health = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Integer> healthStatuses = new ConcurrentLinkedQueue<>();
        final Map<String, Integer> normal = new ConcurrentHashMap<>();
        final ScheduledExecutorService probes = Executors.newScheduledThreadPool(2);
        final long started = System.nanoTime();
        try (SlowSenders oneAddress = SlowSenders.start(bridge.url(), List.of("127.0.0.2"), 300, "slow-a-", 100_000, 100);
             SlowSenders manyAddresses = manyAddresses()) {

            // when: health every 100 ms, a normal callback every 250 ms, until every attacker was answered
            probes.scheduleWithFixedDelay(() -> {
                final long sent = System.nanoTime();
                final HttpResponse<String> response = client.get("/health/ready");
                health.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
                healthStatuses.add(response.statusCode());
            }, 0, 100, TimeUnit.MILLISECONDS);
            probes.scheduleWithFixedDelay(() -> {
                final String requestId = "normal-" + UUID.randomUUID();
                normal.put(requestId, client.post(requestId, BODY).statusCode());
            }, 0, 250, TimeUnit.MILLISECONDS);
            final boolean attackAnswered = answeredWithin(READ_TIMEOUT.multipliedBy(4), oneAddress, manyAddresses);
            final long attackMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            probes.shutdown();
            await().atMost(Duration.ofSeconds(60)).until(probes::isTerminated);

            // then: every attacker was answered by the deadline (with a margin), health and normal callbacks never waited
            LOG.info("Slow-body attack: {} health answers, max {} ms; {} normal callbacks, statuses {}; attack {} after"
                            + " {} ms", health.size(), health.stream().mapToLong(Long::longValue).max().orElse(-1),
                    normal.size(), Set.copyOf(normal.values()), attackAnswered ? "answered" : "still unanswered",
                    attackMillis);
            assertThat(attackAnswered).as("every slow request answered within 4 × the read timeout").isTrue();
            assertThat(health).hasSizeGreaterThanOrEqualTo(10).allSatisfy(millis -> assertThat(millis).isLessThan(1000));
            assertThat(healthStatuses).containsOnly(200);
            assertThat(normal).hasSizeGreaterThanOrEqualTo(5);
            assertThat(normal.values()).containsOnly(200);

            // then: every attacker was answered 429 (over its address's limit) or 408 (past the deadline), in JSON
            final List<SlowSenders.Sender> attackers = new java.util.ArrayList<>(oneAddress.senders());
            attackers.addAll(manyAddresses.senders());
            assertThat(attackers).allSatisfy(sender -> {
                assertThat(sender.status()).as(sender.answer()).hasValueSatisfying(status ->
                        assertThat(status).isIn(408, 429));
                assertThat(sender.answer()).contains("application/json").containsAnyOf(
                        "\"error\":\"request_timeout\"", "\"error\":\"too_many_requests\"");
            });
            final Map<Integer, Long> byStatus = attackers.stream().collect(Collectors.groupingBy(
                    sender -> sender.status().orElse(-1), Collectors.counting()));
            assertThat(byStatus.get(408)).isEqualTo(9L * PER_CLIENT);
            assertThat(attackers.stream().filter(s -> s.status().orElse(-1) == 429))
                    .allSatisfy(sender -> assertThat(sender.answer()).contains("Retry-After"));
            assertThat(attackers.stream().filter(s -> s.status().orElse(-1) == 408))
                    .allSatisfy(sender -> assertThat(sender.answer()).containsIgnoringCase("Connection: close"));
        } finally {
            probes.shutdownNow();
        }

        // then: only the normal callbacks are on the topic, each once
        final String sentinel = "sentinel-" + UUID.randomUUID();
        assertThat(client.post(sentinel, BODY).statusCode()).isEqualTo(200);
        final List<ConsumerRecord<String, SeparationResult>> records = ResultsReader.readUntil(kafka.bootstrapServers(),
                AvroSerdes.specific(SeparationResult.class, kafka.serdeConfig(), false).deserializer(), topic,
                read -> read.stream().anyMatch(r -> r.key().equals(sentinel)), Duration.ofSeconds(30));
        final Set<String> expected = new java.util.HashSet<>(normal.keySet());
        expected.add(sentinel);
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Awaits every attacker's answer; false when some are still unanswered after {@code timeout}. */
    private static boolean answeredWithin(final Duration timeout, final SlowSenders... attacks) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> java.util.Arrays.stream(attacks).allMatch(SlowSenders::allDone));
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    /** 40 trickling connections from each of 127.0.0.3 … 127.0.0.10. */
    private SlowSenders manyAddresses() {
        return SlowSenders.start(bridge.url(), List.of("127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6",
                "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10"), 40, "slow-b-", 100_000, 100);
    }
}
