package io.stemflow.examples;

import io.stemflow.testing.RepositoryFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
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

    @TempDir
    static Path dataDir;

    private static ScriptExamples examples;

    @BeforeAll
    static void startStack() {
        Assumptions.assumeTrue(ExampleCommands.succeeds(List.of(PYTHON, "-c", "import confluent_kafka.schema_registry, avro.io")),
                "python3-confluent-kafka, python3-avro or python3-requests is not installed for " + PYTHON
                        + " (apt-get install python3-confluent-kafka python3-avro python3-requests): the guide's Python "
                        + "example was not run");
        examples = ScriptExamples.start(dataDir, List.of(PYTHON, SCRIPT.toString()));
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
