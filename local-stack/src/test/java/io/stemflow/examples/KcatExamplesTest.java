package io.stemflow.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackPorts;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kcat examples of docs/integration.md, run with the kcat binary against a whole local stack:
 * what the guide says kcat shows and does is what it shows and does. Needs kcat on the PATH
 * ({@code apt-get install kcat}; .ci/run installs it); without it the class is skipped and says so.
 */
@Tag("broker")
class KcatExamplesTest {

    private static final int PARTITIONS = 4;

    @TempDir
    static Path dataDir;

    private static LocalStack stack;
    private static String bootstrap;

    @BeforeAll
    static void startStack() {
        Assumptions.assumeTrue(kcatInstalled(), "kcat is not installed (apt-get install kcat): the guide's kcat examples were not run");
        stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), PARTITIONS, false, true));
        bootstrap = stack.info().bootstrapServers();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldListEveryPartitionWhenKcatReadsTheMetadata() {
        // when
        final String out = kcat(null, "-L", "-b", bootstrap, "-t", TopicNames.REQUESTS);

        // then
        assertThat(out).contains("topic \"separation-requests\" with " + PARTITIONS + " partitions:");
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(out).contains("partition " + p + ", leader 1");
        }
    }

    @Test
    void shouldDeadLetterTheRecordWithItsOriginWhenKcatProducesAValueThatIsNotAvro() {
        // when, as the guide: echo 'not avro' | kcat -P ... -k guide-bad-1 -X topic.partitioner=murmur2_random
        kcat("not avro\n".getBytes(StandardCharsets.UTF_8), "-P", "-b", bootstrap, "-t", TopicNames.REQUESTS,
                "-k", "guide-bad-1", "-X", "topic.partitioner=murmur2_random");

        // then the dead letter carries the reason and the origin in headers kcat shows as text
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            final String dlq = kcat(null, "-C", "-b", bootstrap, "-t", TopicNames.DLQ, "-X", "isolation.level=read_committed",
                    "-e", "-q", "-f", "%k partition %p offset %o\n  %h\n");
            final List<String> lines = dlq.lines().toList();
            final int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("guide-bad-1 ")).findFirst().orElse(""));
            assertThat(at).as(dlq).isNotNegative();
            assertThat(lines.get(at + 1)).contains("stemflow.dlq.kind=CORRUPT_RECORD",
                    "stemflow.dlq.source.topic=separation-requests", "stemflow.dlq.reason=Unknown magic byte 0x6E");
        });
    }

    @Test
    void shouldCompleteTheJobOnJavasPartitionWhenKcatProducesAWireFormatRequestWithMurmur2() throws Exception {
        // given a file holding a wire-format SeparationRequest (0x00, schema id, Avro body), as other tooling writes it
        final String key = "kcat-job-1";
        final SeparationRequest request = SeparationRequest.newBuilder()
                .setRequestId(key).setAccountId("kcat-guide").setBatchId("kcat-guide").setTaskId("5c79a1f0c3be8e")
                .setAudioId("audio-kcat").setType(SeparationType.SEPARATE_VOCAL).setRequestedAt(Instant.now())
                .setLabels(Map.of()).build();
        final Path file = dataDir.resolve(key + ".avro");
        try (AvroSerializer<SeparationRequest> serializer = new AvroSerializer<>(
                new RestSchemaRegistryClient(stack.info().registry().clientConfig()))) {
            Files.write(file, serializer.serialize(TopicNames.REQUESTS, request));
        }

        // when, as the guide: kcat -P ... -k kcat-job-1 -X topic.partitioner=murmur2_random kcat-job-1.avro
        kcat(null, "-P", "-b", bootstrap, "-t", TopicNames.REQUESTS, "-k", key, "-X", "topic.partitioner=murmur2_random",
                file.toString());

        // then the record sits where Java's partitioner puts the key, and the job's two stems come out there too
        final int javaPartition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
        assertThat(kcat(null, "-C", "-b", bootstrap, "-t", TopicNames.REQUESTS, "-e", "-q", "-f", "%k -> partition %p\n"))
                .contains(key + " -> partition " + javaPartition);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(kcat(null, "-C", "-b", bootstrap, "-t", TopicNames.STEMS, "-X", "isolation.level=read_committed",
                        "-e", "-q", "-f", "%k -> partition %p\n").lines().filter(l -> l.startsWith(key + " ")))
                        .containsExactly(key + " -> partition " + javaPartition, key + " -> partition " + javaPartition));
    }

    private static boolean kcatInstalled() {
        return ExampleCommands.succeeds(List.of("kcat", "-V"));
    }

    /** Runs kcat with the arguments (and {@code stdin}, if given); returns its output; fails on a non-zero exit or after 30 s. */
    private static String kcat(final byte[] stdin, final String... args) {
        final List<String> command = new ArrayList<>(List.of("kcat"));
        command.addAll(List.of(args));
        return ExampleCommands.run(dataDir, Duration.ofSeconds(30), stdin, command);
    }
}
