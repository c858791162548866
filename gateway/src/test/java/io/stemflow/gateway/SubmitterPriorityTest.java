package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs of different classes buffered by the submitter: the INTERACTIVE ones are called first, although they were
 * admitted after the BULK ones on the same partition; each class in consumption order. One call per 200 ms, so
 * the order of the calls is the order of dispatch.
 */
@WithKafkaStack
class SubmitterPriorityTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");

    @Test
    void shouldCallInteractiveJobsFirstWhenBulkJobsWereAdmittedBeforeThem(final TestStack stack) {
        // given: six BULK jobs, then a NORMAL one, then three INTERACTIVE ones, on one partition
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 1)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final List<SeparationRequest> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                jobs.add(job("bulk-" + i, Priority.BULK));
            }
            jobs.add(job("normal-0", Priority.NORMAL));
            for (int i = 0; i < 3; i++) {
                jobs.add(job("interactive-" + i, Priority.INTERACTIVE));
            }
            fixture.admit(jobs);
            final CallLog log = new CallLog();

            // when: a gateway starts on the buffered jobs, one call at a time
            fixture.gateway(Map.of(GatewayConfig.RATE_LIMIT_REQUESTS, "1", GatewayConfig.RATE_LIMIT_WINDOW, "200ms",
                    GatewayConfig.RATE_LIMIT_MARGIN, "0s"), log.of("0"));

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= jobs.size());
            final List<String> called = log.calls().stream().map(c -> c.target().substring("music-".length()))
                    .toList();
            FIGURES.info("priority: admitted {}; called {}",
                    jobs.stream().map(SeparationRequest::getRequestId).toList(), called);
            assertThat(called).containsExactly("interactive-0", "interactive-1", "interactive-2", "normal-0",
                    "bulk-0", "bulk-1", "bulk-2", "bulk-3", "bulk-4", "bulk-5");
            assertThat(outcomes.byKey()).hasSize(jobs.size());
        }
    }

    private static SeparationRequest job(final String id, final Priority priority) {
        return SeparationRequest.newBuilder(GatewayFixture.request(id, SeparationType.SEPARATE_VOCAL))
                .setPriority(priority).build();
    }
}
