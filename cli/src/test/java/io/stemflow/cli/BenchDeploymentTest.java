package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stemflow bench --deployment} on a running whole local stack (gateway and provider emulator included): it
 * prints raw Kafka's and admission's figures, and no job of it reaches the provider; its jobs end CANCELLED, their
 * credits released, and the deployment's invariants still hold afterwards.
 */
@Tag("broker")
final class BenchDeploymentTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldMeasureAdmissionWithoutCallingTheProviderWhenRunOnADeployment() {
        // given a whole local stack, the way `stemflow dev` runs it
        try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, false, true))) {
            final var emulator = stack.emulator().orElseThrow().control();
            final long callsBefore = emulator.counters().totalRequests();

            // when
            final CliRun bench = cli("bench", "--deployment", "--jobs", "400", "--no-progress", "--deadline", "PT3M");

            // then the figures are printed
            assertThat(bench.exit()).as(bench.out() + bench.err()).isZero();
            assertThat(bench.out())
                    .containsPattern("produce [\\d,]+ records/s; consume \\(read_committed\\) [\\d,]+ records/s")
                    .containsPattern("first job admitted [\\d.]+ s after the first request")
                    .containsPattern("all admitted [\\d.]+ s after it: [\\d,]+ jobs/s end to end")
                    .containsPattern("records Kafka wrote per admitted job: [\\d.]+")
                    .contains("not measured on a deployment: the result path and the callback bridge")
                    // the stack runs in this JVM: of its processes, the callback bridge's is measured
                    .containsPattern("BridgeMain \\(pid \\d+\\) after run: heap \\d+ MiB used");
            // and nothing reached the provider: the batch ended CANCELLED with its credits released
            assertThat(emulator.counters().totalRequests()).isEqualTo(callsBefore);
            final Matcher names = Pattern.compile("account (bench-[0-9a-f]{8}) .*batch (bench-[0-9a-f]{8})")
                    .matcher(bench.out());
            assertThat(names.find()).as(bench.out()).isTrue();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                final CliRun status = cli("status", "--batch", names.group(2));
                assertThat(status.out()).as(status.out() + status.err()).contains("400 jobs | CANCELLED 400")
                        .contains("credits reserved 0, spent 0");
            });
            final CliRun credits = cli("credits", "show");
            assertThat(credits.out()).containsPattern(Pattern.quote(names.group(1)) + ".*4000.*");
            final CliRun audit = cli("audit");
            assertThat(audit.exit()).as(audit.out() + audit.err()).isZero();
            assertThat(audit.out()).contains("Every invariant holds.");
        }
    }


    private CliRun cli(final String... args) {
        return CliRun.on(dataDir.resolve("stack.json"), args);
    }
}
