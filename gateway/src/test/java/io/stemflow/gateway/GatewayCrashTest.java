package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway, run as its own JVM, is killed with SIGKILL in the middle of a batch and started again with the same
 * instance id: every admitted job has exactly one outcome, and the provider got at most the in-flight window of
 * jobs a second time.
 */
@WithKafkaStack
class GatewayCrashTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final int JOBS = 150;
    private static final int IN_FLIGHT = 8;

    @Test
    void shouldWriteExactlyOneOutcomePerJobWhenGatewayIsKilledMidBatchAndRestarted(final TestStack stack)
            throws Exception {
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 3)) {
            // given
            final Map<String, String> env = fixture.env();
            env.put(GatewayConfig.IN_FLIGHT, Integer.toString(IN_FLIGHT));
            fixture.admit(GatewayFixture.requests("crash", JOBS));
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            Process first = null;
            Process second = null;
            try {
                first = launch(env, "first");
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> fixture.emulator.control().counters().tasksAccepted() >= 50);

                // when: SIGKILL mid-batch, then a new process with the same instance id
                first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                final long acceptedBeforeRestart = fixture.emulator.control().counters().tasksAccepted();
                final int committedBeforeRestart = outcomes.readToEnd(Duration.ofSeconds(30)).size();
                second = launch(env, "second");

                // then
                await().atMost(Duration.ofSeconds(120)).until(() -> distinctKeys(outcomes) >= JOBS);
                second.destroy();
                assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("second gateway stopped").isTrue();
                outcomes.readToEnd(Duration.ofSeconds(30));
                final Map<String, List<SubmissionOutcome>> byKey = outcomes.byKey();
                assertThat(byKey).hasSize(JOBS).allSatisfy((id, list) -> {
                    assertThat(list).as("outcomes of %s", id).hasSize(1);
                    assertThat(list.get(0).getStatus()).isEqualTo(SubmissionStatus.ACCEPTED);
                });
                final long accepted = fixture.emulator.control().counters().tasksAccepted();
                final long duplicates = accepted - JOBS;
                FIGURES.info("SIGKILL: {} jobs; killed after {} provider acceptances with {} outcomes committed; "
                        + "{} duplicate provider submissions after restart (in-flight window {})",
                        JOBS, acceptedBeforeRestart, committedBeforeRestart, duplicates, IN_FLIGHT);
                assertThat(committedBeforeRestart).isLessThan(JOBS);
                assertThat(duplicates).isBetween(0L, (long) IN_FLIGHT);
            } finally {
                if (first != null) {
                    first.destroyForcibly();
                }
                if (second != null) {
                    second.destroyForcibly();
                }
            }
        }
    }

    private static long distinctKeys(final TopicReader<SubmissionOutcome> outcomes) {
        outcomes.poll();
        return outcomes.byKey().size();
    }

    private static Process launch(final Map<String, String> env, final String name) throws IOException {
        final Path log = Files.createDirectories(Path.of("target", "gateway-crash")).resolve(name + ".log");
        final ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                GatewayMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }
}
