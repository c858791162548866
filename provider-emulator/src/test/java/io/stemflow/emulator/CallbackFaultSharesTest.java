package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.CallbackReceiver;
import io.stemflow.emulator.support.CallbackReceiver.Received;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.testing.WithProviderEmulator;
import io.stemflow.emulator.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Duplicate, lost and late callbacks happen at the configured shares, and the same seed replays them. */
@WithProviderEmulator
class CallbackFaultSharesTest {

    private static final int TASKS = 300;
    private static final FaultShares SHARES = FaultShares.NONE.withDuplicateCallbacks(0.2).withLostCallbacks(0.1);

    private CallbackReceiver receiver;

    @BeforeEach
    void useReceiver(final CallbackReceiver receiver) {
        this.receiver = receiver;
    }

    /** What one run did: accepted task ids in order, and delivery count per task id. */
    private record Run(List<String> taskIds, Map<String, Long> deliveries, EmulatorCounters counters) {
        Set<String> lost() {
            return taskIds.stream().filter(id -> !deliveries.containsKey(id)).collect(Collectors.toCollection(TreeSet::new));
        }

        Set<String> duplicated() {
            return deliveries.entrySet().stream().filter(e -> e.getValue() == 2).map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private Run run(final long seed, final String path, final int tasks) {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().seed(seed).faults(SHARES)
                .processingTime(ProcessingTime.fixed(Duration.ofMillis(1))).duplicateDelay(Duration.ofMillis(1))
                .build())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final List<String> ids = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                ids.add(client.generate(API_KEY, ApiClient.generateBody("separate_vocal", receiver.url(path))).taskId());
            }
            final EmulatorControl control = emulator.control();
            // every task completed, every planned delivery (first + duplicate) answered
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                final EmulatorCounters c = control.counters();
                return c.tasksSucceeded() == tasks
                        && c.callbacksDelivered() == tasks - c.callbacksLost() + c.callbacksDuplicated()
                        && receiver.receivedOn(path).size() == c.callbacksDelivered();
            });
            // duplicates are scheduled after their first delivery: wait until no more arrive
            final int settled = receiver.receivedOn(path).size();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> receiver.receivedOn(path).size() == settled);
            final Map<String, Long> deliveries = receiver.receivedOn(path).stream()
                    .collect(Collectors.groupingBy(Received::taskId, TreeMap::new, Collectors.counting()));
            return new Run(ids, deliveries, control.counters());
        }
    }

    @Test
    void shouldDuplicateAndLoseCallbacksAtTheConfiguredSharesWhenSeeded() {
        // when
        final Run run = run(TestConfigs.SEED, "shares", TASKS);

        // then about 10 % lost (30, sd 5) and 20 % of the rest duplicated (54, sd 7), within 3 sd
        assertThat(run.lost()).hasSizeBetween(15, 45);
        assertThat(run.duplicated()).hasSizeBetween(33, 75);
        assertThat(run.deliveries().values()).allMatch(n -> n == 1 || n == 2);
        assertThat(run.counters().callbacksLost()).isEqualTo(run.lost().size());
        assertThat(run.counters().callbacksDuplicated()).isEqualTo(run.duplicated().size());
        assertThat(run.counters().callbacksAttempted()).isEqualTo(run.counters().callbacksDelivered());
    }

    @Test
    void shouldMakeTheSameDecisionsWhenReplayedWithTheSameSeed() {
        // when
        final Run first = run(99L, "replay-a", 60);
        final Run second = run(99L, "replay-b", 60);
        final Run otherSeed = run(100L, "replay-c", 60);

        // then
        assertThat(second.taskIds()).isEqualTo(first.taskIds());
        assertThat(second.lost()).isEqualTo(first.lost());
        assertThat(second.duplicated()).isEqualTo(first.duplicated());
        assertThat(otherSeed.taskIds()).doesNotContainAnyElementsOf(first.taskIds());
    }

    @Test
    void shouldShowTheResultThroughRecordInfoWhenTheCallbackIsLost() {
        // given every callback lost
        final ManualTime time = new ManualTime(Instant.parse("2026-04-04T04:00:00Z"));
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .faults(FaultShares.NONE.withLostCallbacks(1.0))
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(5))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody("split_stem", receiver.url("lost")))
                    .taskId();

            // when
            time.advance(Duration.ofHours(1));

            // then
            final var data = client.recordInfo(API_KEY, taskId).body().path("data");
            assertThat(data.path("successFlag").asText()).isEqualTo("SUCCESS");
            assertThat(data.at("/response/drumsUrl").asText()).endsWith("/drums.wav");
            assertThat(emulator.control().counters().callbacksLost()).isEqualTo(1);
            assertThat(emulator.control().counters().callbacksAttempted()).isZero();
            assertThat(receiver.receivedOn("lost")).isEmpty();
        }
    }

    @Test
    void shouldDeliverAfterRecordInfoShowsTheResultWhenTheCallbackIsLate() {
        // given every callback late by 10 minutes
        final ManualTime time = new ManualTime(Instant.parse("2026-04-04T04:00:00Z"));
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .faults(FaultShares.NONE.withLateCallbacks(1.0)).lateDelay(Duration.ofMinutes(10))
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(5))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("late"))).taskId();

            // when the task completes
            time.advance(Duration.ofSeconds(5));
            final String flagAtCompletion = client.recordInfo(API_KEY, taskId).body().at("/data/successFlag").asText();
            time.advance(Duration.ofMinutes(10).minusMillis(1));
            final long attemptsBefore = emulator.control().counters().callbacksAttempted();
            time.advance(Duration.ofMillis(1));

            // then
            assertThat(flagAtCompletion).isEqualTo("SUCCESS");
            assertThat(attemptsBefore).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.receivedOn("late").size() == 1);
            assertThat(emulator.control().counters().callbacksLate()).isEqualTo(1);
        }
    }
}
