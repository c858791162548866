package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemUrl;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.RecordInfoTimeFormat;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lost callbacks are recovered through record-info: the reconciler writes the result a callback would have given,
 * marked POLL; while the task is pending it writes nothing.
 */
@WithKafkaStack
class ReconcilerTest {

    @Test
    void shouldRecoverResultThroughRecordInfoWhenCallbackIsLost(final TestStack stack) throws Exception {
        // given: every callback is lost; record-info times come as strings
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .processingTime(ProcessingTime.fixed(Duration.ofMillis(1500)))
                .recordInfoTimeFormat(RecordInfoTimeFormat.STRING)
                .faults(FaultShares.NONE.withLostCallbacks(1.0)), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final TopicReader<SeparationResult> results = fixture.results();
            final Gateway gateway = fixture.gateway(Map.of());
            final List<SeparationRequest> jobs = new ArrayList<>(GatewayFixture.requests("lost", 4));
            jobs.add(GatewayFixture.request("lost-split", SeparationType.SPLIT_STEM));
            fixture.admit(jobs);
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 5);
            final Map<String, List<SubmissionOutcome>> submitted = outcomes.byKey();

            // when: the topology asks before the tasks finished
            fixture.askReconcile(reconcileRequests(submitted, 1));

            // then: pending, nothing written
            await().atMost(Duration.ofSeconds(30)).until(() -> reconciled(gateway, "pending") >= 5);
            assertThat(results.poll()).isEmpty();

            // when: the tasks have finished and their callbacks were lost, the topology asks again
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    fixture.emulator.control().counters().callbacksLost() >= 5);
            fixture.askReconcile(reconcileRequests(submitted, 2));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> results.poll().size() >= 5);
            assertThat(results.byKey()).hasSize(5).allSatisfy((id, list) -> {
                final SeparationResult result = list.get(0);
                assertThat(list).hasSize(1);
                assertThat(result.getSource()).isEqualTo(ResultSource.POLL);
                assertThat(result.getCode()).isEqualTo(200);
                assertThat(result.getProviderTaskId()).isEqualTo(submitted.get(id).get(0).getProviderTaskId());
                assertThat(result.getStems()).allSatisfy(s -> assertThat(s.getUrl()).startsWith("http"));
            });
            assertThat(stems(results.byKey().get("lost-0").get(0))).containsExactlyInAnyOrder(Stem.VOCALS,
                    Stem.INSTRUMENTAL);
            assertThat(stems(results.byKey().get("lost-split").get(0))).hasSizeGreaterThan(2)
                    .doesNotContain(Stem.UNKNOWN);
            assertThat(reconciled(gateway, "completed")).isEqualTo(5);
        }
    }

    @Test
    void shouldWriteFailedResultWithoutStemsWhenTaskFailed(final TestStack stack) throws Exception {
        // given: every task fails with 451 and its callback is lost
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .processingTime(ProcessingTime.fixed(Duration.ofMillis(200)))
                .failureCodes(List.of(451))
                .faults(FaultShares.NONE.withTaskFailures(1.0).withLostCallbacks(1.0)), 1)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final TopicReader<SeparationResult> results = fixture.results();
            fixture.gateway(Map.of());
            fixture.admit(GatewayFixture.requests("failing", 2));
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 2
                    && fixture.emulator.control().counters().tasksFailed() >= 2);

            // when
            fixture.askReconcile(reconcileRequests(outcomes.byKey(), 1));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> results.poll().size() >= 2);
            assertThat(results.byKey()).hasSize(2).allSatisfy((id, list) -> {
                assertThat(list.get(0).getCode()).isEqualTo(451);
                assertThat(list.get(0).getStems()).isEmpty();
                assertThat(list.get(0).getSource()).isEqualTo(ResultSource.POLL);
                assertThat(list.get(0).getMessage()).isNotBlank();
            });
        }
    }

    private static List<ReconcileRequest> reconcileRequests(final Map<String, List<SubmissionOutcome>> submitted,
                                                            final int reconciliation) {
        final List<ReconcileRequest> requests = new ArrayList<>();
        submitted.forEach((id, list) -> {
            assertThat(list.get(0).getStatus()).isEqualTo(SubmissionStatus.ACCEPTED);
            requests.add(ReconcileRequest.newBuilder()
                    .setRequestId(id)
                    .setAttempt(1)
                    .setProviderTaskId(list.get(0).getProviderTaskId())
                    .setReconciliation(reconciliation)
                    .setSubmittedAt(list.get(0).getSubmittedAt())
                    .setRequestedAt(Instant.parse("2026-11-20T10:00:00Z"))
                    .build());
        });
        return requests;
    }

    private static double reconciled(final Gateway gateway, final String result) {
        final Counter counter = gateway.meterRegistry().find("stemflow.gateway.reconciled").tag("result", result)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static List<Stem> stems(final SeparationResult result) {
        return result.getStems().stream().map(StemUrl::getStem).toList();
    }
}
