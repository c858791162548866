package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.LinkOutcome;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.StemUrl;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The archiver's requests for fresh links: the reconciler loop reads them beside late jobs, looks each task up
 * through record-info behind the same gate, and answers each request once on the links topic.
 */
@WithKafkaStack
class LinkRefreshTest {

    @Test
    void shouldAnswerFreshLinksWhenTheTaskSucceeded(final TestStack stack) throws Exception {
        // given: tasks that finish fast; their callbacks go nowhere
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .processingTime(ProcessingTime.fixed(Duration.ofMillis(200))), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final TopicReader<StemLinks> links = fixture.links();
            final Gateway gateway = fixture.gateway(Map.of());
            fixture.admit(GatewayFixture.requests("expired", 3));
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 3);
            final Map<String, List<SubmissionOutcome>> submitted = outcomes.byKey();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    fixture.emulator.control().counters().tasksSucceeded() >= 3);

            // when: the archiver asks for fresh links to the vocals of each
            fixture.askLinks(submitted.entrySet().stream().map(e -> refresh(e.getKey(),
                    e.getValue().get(0).getProviderTaskId(), Stem.VOCALS)).toList());

            // then: one FRESH answer per request, carrying the request and every stem the task lists
            await().atMost(Duration.ofSeconds(30)).until(() -> links.poll().size() >= 3);
            assertThat(links.byKey()).hasSize(3).allSatisfy((id, answers) -> {
                assertThat(answers).hasSize(1);
                final StemLinks answer = answers.get(0);
                assertThat(answer.getOutcome()).isEqualTo(LinkOutcome.FRESH);
                assertThat(answer.getRequest().getRequestId()).isEqualTo(id);
                assertThat(answer.getRequest().getStems()).extracting(StemReady::getStem).containsExactly(Stem.VOCALS);
                assertThat(answer.getLinks()).extracting(StemUrl::getStem)
                        .containsExactlyInAnyOrder(Stem.VOCALS, Stem.INSTRUMENTAL);
                assertThat(answer.getLinks()).allSatisfy(l -> assertThat(l.getUrl()).startsWith("http"));
                assertThat(answer.getCode()).isNull();
            });
            assertThat(refreshes(gateway, "fresh")).isEqualTo(3);
        }
    }

    @Test
    void shouldAnswerGoneWhenTheProviderNoLongerHasTheTask(final TestStack stack) throws Exception {
        // given: one task the provider never had, one that failed
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .processingTime(ProcessingTime.fixed(Duration.ofMillis(200)))
                .failureCodes(List.of(451))
                .faults(FaultShares.NONE.withTaskFailures(1.0)), 1)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final TopicReader<StemLinks> links = fixture.links();
            final Gateway gateway = fixture.gateway(Map.of());
            fixture.admit(GatewayFixture.requests("failed", 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 1
                    && fixture.emulator.control().counters().tasksFailed() >= 1);
            final String failedTask = outcomes.byKey().get("failed-0").get(0).getProviderTaskId();

            // when
            fixture.askLinks(List.of(refresh("unknown-0", "no-such-task-0123", Stem.DRUMS),
                    refresh("failed-0", failedTask, Stem.VOCALS)));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> links.poll().size() >= 2);
            final StemLinks unknown = links.byKey().get("unknown-0").get(0);
            assertThat(unknown.getOutcome()).isEqualTo(LinkOutcome.GONE);
            assertThat(unknown.getCode()).isEqualTo(400);
            assertThat(unknown.getLinks()).isEmpty();
            assertThat(unknown.getReason()).contains("no longer has the task");
            final StemLinks failed = links.byKey().get("failed-0").get(0);
            assertThat(failed.getOutcome()).isEqualTo(LinkOutcome.GONE);
            assertThat(failed.getLinks()).isEmpty();
            assertThat(refreshes(gateway, "gone")).isEqualTo(2);
        }
    }

    @Test
    void shouldDeadLetterARefreshWhenItsStemsAreOfAnotherJob(final TestStack stack) throws Exception {
        // given
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 1)) {
            final TopicReader<DeadLetter> deadLetters = fixture.deadLetters();
            final TopicReader<StemLinks> links = fixture.links();
            fixture.gateway(Map.of());
            final LinkRefreshRequest mixed = refresh("job-a", "task-a-0123", Stem.VOCALS);
            mixed.getStems().set(0, stem("job-b", "task-a-0123", Stem.VOCALS));

            // when: a stranger's record names another job's stems, then a good one follows
            fixture.askLinks(List.of(mixed, refresh("job-c", "no-such-task-c", Stem.BASS)));

            // then: the bad one is set aside with the reason, the next one is answered
            await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.poll().size() >= 1
                    && links.poll().size() >= 1);
            final DeadLetter letter = deadLetters.byKey().values().iterator().next().get(0);
            assertThat(letter.getKind()).isEqualTo(DeadLetterKind.INVALID_RECORD);
            assertThat(letter.getReason()).contains("job-a").contains("job-b");
            assertThat(links.byKey()).containsOnlyKeys("job-c");
        }
    }

    private static double refreshes(final Gateway gateway, final String outcome) {
        final Counter counter = gateway.meterRegistry().find("stemflow.gateway.link.refreshes")
                .tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static LinkRefreshRequest refresh(final String requestId, final String taskId, final Stem stem) {
        return LinkRefreshRequest.newBuilder()
                .setRequestId(requestId)
                .setProviderTaskId(taskId)
                .setRefresh(1)
                .setStems(new java.util.ArrayList<>(List.of(stem(requestId, taskId, stem))))
                .setRequestedAt(Instant.parse("2026-12-06T10:00:00Z"))
                .build();
    }

    private static StemReady stem(final String requestId, final String taskId, final Stem stem) {
        return StemReady.newBuilder()
                .setRequestId(requestId)
                .setAccountId("team-a")
                .setBatchId("batch-1")
                .setTaskId("music-" + requestId)
                .setAudioId("audio-" + requestId)
                .setType(SeparationType.SEPARATE_VOCAL)
                .setProviderTaskId(taskId)
                .setStem(stem)
                .setUrl("https://files.example/expired/" + stem.name().toLowerCase() + ".mp3")
                .setExpiresAt(Instant.parse("2026-12-01T00:00:00Z"))
                .setCompletedAt(Instant.parse("2026-11-17T00:00:00Z"))
                .build();
    }
}
