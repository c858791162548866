package io.stemflow.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.SeparationMode;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackInfo;
import io.stemflow.localstack.StackPorts;
import io.stemflow.testing.RepositoryFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The guide's Python and JavaScript examples (examples/python, examples/js) run against a freshly started whole
 * local stack (broker, registry, provider emulator, bridge, pipeline, gateway): the same three steps for each
 * script, produce, consume and replay, and what the guide says they show. Each language's test class starts one
 * with the command that runs its script.
 *
 * <p>The scripts print one line per record they consume: {@code stem <requestId> <STEM> attempt <n> <url> ...} and
 * {@code status <requestId> <STATE> attempt <n>[: reason]}.
 */
final class ScriptExamples implements AutoCloseable {

    static final Path SCHEMAS = RepositoryFiles.root().resolve("schemas/src/main/avro");
    private static final String SUBJECT = "separation-requests-value";
    private static final int PARTITIONS = 4;
    private static final Duration JOBS_DEADLINE = Duration.ofMinutes(3);
    private static final Duration COMMAND_DEADLINE = Duration.ofMinutes(2);

    private final LocalStack stack;
    private final Path scratch;
    private final List<String> script;
    private final List<Integer> versionsAtStart;

    private ScriptExamples(final LocalStack stack, final Path scratch, final List<String> script) {
        this.stack = stack;
        this.scratch = scratch;
        this.script = script;
        this.versionsAtStart = registeredVersions();
    }

    /**
     * Starts a fresh local stack in {@code dataDir} for {@code interpreterAndScript} (e.g. {@code /usr/bin/python3
     * stemflow_example.py}), which is given the stack's addresses, the registry user and its password file and the
     * {@code .avsc} directory before its subcommand.
     */
    static ScriptExamples start(final Path dataDir, final List<String> interpreterAndScript) {
        final LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir.resolve("stack"), StackPorts.anyFree(),
                PARTITIONS, false, true));
        try {
            final StackInfo info = stack.info();
            final List<String> script = new ArrayList<>(interpreterAndScript);
            script.addAll(List.of("--bootstrap-servers", info.bootstrapServers(), "--registry-url", info.schemaRegistryUrl(),
                    "--registry-user", info.credentials().get(StackInfo.REGISTRY_USER),
                    "--registry-password-file", info.credentials().get(StackInfo.REGISTRY_PASSWORD_FILE),
                    "--schemas", SCHEMAS.toString()));
            return new ScriptExamples(stack, dataDir, List.copyOf(script));
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    /**
     * The script produces three first attempts (two SEPARATE_VOCAL, one SPLIT_STEM), and its consumer prints every
     * job COMPLETED on separation-status and every stem of each job on separation-stems: two for SEPARATE_VOCAL, the
     * emulator's twelve for SPLIT_STEM, each once, attempt 1. Nothing was registered on the way.
     */
    void assertProducedJobsDeliverEveryStem(final String prefix) {
        // given
        final String batch = prefix + "-guide";
        final Map<String, Integer> expectedStems = new LinkedHashMap<>();
        expectedStems.put(batch + ".task-1.audio-1.SEPARATE_VOCAL", SeparationMode.SEPARATE_VOCAL.stems().size());
        expectedStems.put(batch + ".task-2.audio-2.SEPARATE_VOCAL", SeparationMode.SEPARATE_VOCAL.stems().size());
        expectedStems.put(batch + ".task-3.audio-3.SPLIT_STEM", SeparationMode.SPLIT_STEM.stems().size());

        // when
        assertThat(run("produce", "--account", prefix + "-team", "--batch", batch, "--type", "SEPARATE_VOCAL",
                "task-1:audio-1", "task-2:audio-2")).contains("2 requests acknowledged on separation-requests");
        assertThat(run("produce", "--account", prefix + "-team", "--batch", batch, "--type", "SPLIT_STEM",
                "task-3:audio-3")).contains("1 requests acknowledged on separation-requests");
        final List<String> lines;
        try (ExampleCommands.Running consumer = consume(prefix + "-archiver")) {
            awaitLines(consumer, out -> expectedStems.entrySet().stream().allMatch(job ->
                    out.contains("status " + job.getKey() + " COMPLETED attempt 1")
                            && stems(out, job.getKey()).size() >= job.getValue()));
            consumer.close();
            lines = consumer.lines();
        }

        // then
        assertThat(lines).as("a consumer stopped by SIGTERM closes (commits, leaves its group)").last().isEqualTo("stopped");
        expectedStems.forEach((requestId, count) -> {
            final List<String> stems = stems(lines, requestId);
            assertThat(stems).as("stems of %s", requestId).hasSize(count).doesNotHaveDuplicates()
                    .allMatch(stem -> stem.endsWith(" attempt 1"));
        });
        assertThat(stems(lines, batch + ".task-1.audio-1.SEPARATE_VOCAL"))
                .containsExactlyInAnyOrder("VOCALS attempt 1", "INSTRUMENTAL attempt 1");
        assertThat(registeredVersions()).as("versions of %s", SUBJECT).isEqualTo(versionsAtStart);
    }

    /**
     * A job the provider fails lands on separation-dlq; the script's replay produces it again from its dead letter
     * (attempt 2, replayOf the dead letter's id), and the consumer prints it COMPLETED with attempt 2 and its stems.
     */
    void assertReplayOfADeadLetterCompletes(final String prefix) {
        // given a job the provider fails
        final String requestId = prefix + "-replay.task-9.audio-9.SEPARATE_VOCAL";
        final ProviderEmulator emulator = stack.emulator().orElseThrow();
        try (ExampleCommands.Running consumer = consume(prefix + "-replay-watch")) {
            emulator.control().setFaults(FaultShares.NONE.withTaskFailures(1.0));
            try {
                run("produce", "--account", prefix + "-team", "--batch", prefix + "-replay", "--type", "SEPARATE_VOCAL",
                        "task-9:audio-9");
                awaitLines(consumer, out -> out.stream().anyMatch(l -> l.startsWith("status " + requestId + " FAILED attempt 1")));
            } finally {
                emulator.control().setFaults(FaultShares.NONE);
            }

            // when
            final String replayed = run("replay", "--request-id", requestId);

            // then
            assertThat(replayed).contains("dead letter " + requestId + "/1/JOB_FAILED JOB_FAILED",
                    "replayed " + requestId + " as attempt 2 (replayOf " + requestId + "/1/JOB_FAILED)");
            awaitLines(consumer, out -> out.contains("status " + requestId + " COMPLETED attempt 2")
                    && stems(out, requestId).size() >= 2);
            consumer.close();
            assertThat(consumer.lines()).contains("status " + requestId + " REPLAYED attempt 1: replayed as attempt 2 after FAILED");
            assertThat(stems(consumer.lines(), requestId)).containsExactlyInAnyOrder("VOCALS attempt 2", "INSTRUMENTAL attempt 2");
        }
        assertThat(registeredVersions()).as("versions of %s", SUBJECT).isEqualTo(versionsAtStart);
    }

    @Override
    public void close() {
        stack.close();
    }

    private String run(final String... subcommand) {
        return ExampleCommands.run(scratch, COMMAND_DEADLINE, null, command(subcommand));
    }

    private ExampleCommands.Running consume(final String group) {
        return ExampleCommands.start(scratch, command("consume", "--group", group));
    }

    private List<String> command(final String... subcommand) {
        final List<String> command = new ArrayList<>(script);
        command.addAll(List.of(subcommand));
        return command;
    }

    /** Waits until the consumer's output so far satisfies {@code condition}; fails at once if the consumer ended. */
    private static void awaitLines(final ExampleCommands.Running consumer,
                                   final Predicate<List<String>> condition) {
        await().atMost(JOBS_DEADLINE).pollInterval(Duration.ofMillis(500))
                .failFast("the consumer ended", () -> assertThat(consumer.alive()).as(consumer.describe()).isTrue())
                .untilAsserted(() -> {
                    final List<String> lines = consumer.lines();
                    assertThat(condition.test(lines)).as("what %s printed so far:%n%s", consumer.describe(),
                            String.join("\n", lines)).isTrue();
                });
    }

    /** "STEM attempt n" of every stem line of the request, in the order printed. */
    private static List<String> stems(final List<String> lines, final String requestId) {
        final String start = "stem " + requestId + " ";
        return lines.stream().filter(l -> l.startsWith(start)).map(l -> l.substring(start.length()).split(" "))
                .map(words -> words[0] + " " + words[1] + " " + words[2]).toList();
    }

    /** The versions registered under {@value #SUBJECT}, asked over HTTP as the stack's registry user. */
    private List<Integer> registeredVersions() {
        final StackInfo info = stack.info();
        try {
            final String password = Files.readString(Path.of(info.credentials().get(StackInfo.REGISTRY_PASSWORD_FILE))).strip();
            final String basic = Base64.getEncoder().encodeToString((info.credentials().get(StackInfo.REGISTRY_USER) + ":"
                    + password).getBytes(StandardCharsets.UTF_8));
            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(info.schemaRegistryUrl() + "/subjects/" + SUBJECT + "/versions"))
                    .header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return List.of(new ObjectMapper().readValue(response.body(), Integer[].class));
        } catch (IOException e) {
            throw new AssertionError("cannot ask the registry for the versions of " + SUBJECT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted asking the registry", e);
        }
    }
}
