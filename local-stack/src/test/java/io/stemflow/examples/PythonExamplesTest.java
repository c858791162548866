package io.stemflow.examples;

import io.stemflow.testing.RepositoryFiles;
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
 * The Python example of docs/integration.md (examples/python/stemflow_example.py), run with Debian's
 * python3-confluent-kafka and python3-avro against a freshly started whole local stack ({@link ScriptExamples}).
 * Needs those packages for /usr/bin/python3 (.ci/run installs them); without them the class is skipped and says so.
 */
@Tag("broker")
final class PythonExamplesTest {

    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPT = RepositoryFiles.root().resolve("examples/python/stemflow_example.py");

    /** Why the example cannot run here, or null when it can. */
    private static final String MISSING = ExampleCommands.succeeds(List.of(PYTHON, "-c",
            "import confluent_kafka.schema_registry, avro.io")) ? null
            : "python3-confluent-kafka, python3-avro or python3-requests is not installed for " + PYTHON
                    + " (apt-get install python3-confluent-kafka python3-avro python3-requests): the guide's Python "
                    + "example was not run";

    @TempDir
    static Path dataDir;

    private static ScriptExamples examples;

    @BeforeAll
    static void startStack() {
        if (MISSING == null) {
            examples = ScriptExamples.start(dataDir, List.of(PYTHON, SCRIPT.toString()));
        }
    }

    /** Each test is reported skipped, with the reason, when the packages are missing. */
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

    @Test
    void shouldDeliverEveryStemOfEveryJobWhenThePythonScriptProducesAndConsumes() {
        examples.assertProducedJobsDeliverEveryStem("py");
    }

    @Test
    void shouldCompleteTheReplayAsAttemptTwoWhenThePythonScriptReplaysADeadLetter() {
        examples.assertReplayOfADeadLetterCompletes("py");
    }
}
