package io.stemflow.examples;

import io.stemflow.testing.RepositoryFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JavaScript example of docs/integration.md (examples/js/stemflow-example.mjs), run with Node.js, kafkajs and
 * {@code @kafkajs/confluent-schema-registry} as pinned in examples/js/package-lock.json, against a freshly started
 * whole local stack ({@link ScriptExamples}). Needs node and {@code npm ci --prefix examples/js} (.ci/run does both);
 * without them the class is skipped and says so.
 */
@Tag("broker")
final class JavaScriptExamplesTest {

    static final Path DIRECTORY = RepositoryFiles.root().resolve("examples/js");
    static final Path SCRIPT = DIRECTORY.resolve("stemflow-example.mjs");

    /** Why the example cannot run here, or null when it can. */
    private static final String MISSING = missing();

    @TempDir
    static Path dataDir;

    private static ScriptExamples examples;

    @BeforeAll
    static void startStack() {
        if (MISSING == null) {
            examples = ScriptExamples.start(dataDir, List.of("node", SCRIPT.toString()));
        }
    }

    /** Each test is reported skipped, with the reason, when node or the packages are missing. */
    @BeforeEach
    void requirePackages() {
        Assumptions.assumeTrue(MISSING == null, MISSING);
    }

    @AfterAll
    static void stopStack() {
        if (examples != null) {
            examples.close();
        }
    }

    private static String missing() {
        if (!ExampleCommands.succeeds(List.of("node", "--version"))) {
            return "node is not installed (apt-get install nodejs npm, then npm ci --prefix examples/js): the guide's "
                    + "JavaScript example was not run";
        }
        if (!Files.isDirectory(DIRECTORY.resolve("node_modules/kafkajs"))
                || !Files.isDirectory(DIRECTORY.resolve("node_modules/@kafkajs/confluent-schema-registry"))) {
            return "examples/js/node_modules is missing (npm ci --prefix examples/js): the guide's JavaScript example "
                    + "was not run";
        }
        return null;
    }

    @Test
    void shouldDeliverEveryStemOfEveryJobWhenTheJavaScriptProducesAndConsumes() {
        examples.assertProducedJobsDeliverEveryStem("js");
    }

    @Test
    void shouldCompleteTheReplayAsAttemptTwoWhenTheJavaScriptReplaysADeadLetter() {
        examples.assertReplayOfADeadLetterCompletes("js");
    }
}
