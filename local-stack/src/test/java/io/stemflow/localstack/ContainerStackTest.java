package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The demo's flow against containers: Kafka from the apache/kafka image and Confluent's own Schema
 * Registry image (which also proves our serde against the real registry), with the emulator, the
 * bridge process and the pipeline on the host. Runs only where a Docker engine is present; without
 * one JUnit reports it as skipped ("disabledWithoutDocker"). It is an extra: every claim it makes
 * is also proven by {@link LocalStackDemoTest} on the embedded broker.
 *
 * <p>Where images cannot be pulled, the environment names local ones (.ci/run does, with the images
 * of docker/offline): {@code STEMFLOW_TEST_KAFKA_IMAGE}, an image that starts like apache/kafka; and
 * {@code STEMFLOW_TEST_REGISTRY_IMAGE} with {@code STEMFLOW_TEST_REGISTRY_KIND=stemflow}, the stemflow
 * image running its own registry ({@code registry} command) instead of Confluent's. With the default
 * images and no way to pull them, it is skipped and says why ({@link ContainerImagesCondition}).
 */
@Tag("broker")
@Testcontainers(disabledWithoutDocker = true)
@ExtendWith(ContainerImagesCondition.class)
class ContainerStackTest {

    private static final Map<String, String> ENV = System.getenv();
    private static final Network NETWORK = Network.newNetwork();

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse(kafkaImage())
            .asCompatibleSubstituteFor("apache/kafka"))
            .withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    private static final GenericContainer<?> REGISTRY = registry()
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));

    static String kafkaImage() {
        return ENV.getOrDefault("STEMFLOW_TEST_KAFKA_IMAGE", "apache/kafka:4.1.0");
    }

    static String registryImage() {
        return ENV.getOrDefault("STEMFLOW_TEST_REGISTRY_IMAGE", "confluentinc/cp-schema-registry:7.7.1");
    }

    static boolean imagesNamedByEnvironment() {
        return ENV.containsKey("STEMFLOW_TEST_KAFKA_IMAGE") || ENV.containsKey("STEMFLOW_TEST_REGISTRY_IMAGE");
    }

    private static GenericContainer<?> registry() {
        final String image = registryImage();
        if ("stemflow".equals(ENV.get("STEMFLOW_TEST_REGISTRY_KIND"))) {
            return new GenericContainer<>(image)
                    .withCommand("registry")
                    .withEnv("STEMFLOW_REGISTRY_HOST", "0.0.0.0")
                    .withEnv("STEMFLOW_REGISTRY_PORT", "8081")
                    .withEnv("STEMFLOW_REGISTRY_KAFKA_BOOTSTRAP", "kafka:19092")
                    // it stands in for Confluent's registry, open by default; verify-compose.sh runs it with users
                    .withEnv("STEMFLOW_REGISTRY_AUTH", "off");
        }
        return new GenericContainer<>(image)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081");
    }

    @TempDir
    Path dataDir;

    @Test
    void shouldEndEveryJobAndBalanceTheLedgerWhenRunOnContainers() throws Exception {
        final LocalStackConfig config = new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true)
                .withExternal(new LocalStackConfig.External(KAFKA.getBootstrapServers(),
                        "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081)));
        try (LocalStack stack = LocalStack.start(config)) {
            final StringWriter text = new StringWriter();
            final Demo.Summary summary = new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                    new Demo.Settings(12, "containers", Duration.ofMinutes(5), 10_000, 100), Clock.systemUTC(), null)
                    .withRegistryAuth(stack.info().registry().auth()).run(new PrintWriter(text, true));
            assertThat(summary.allTerminal()).as(text.toString()).isTrue();
            assertThat(summary.ledgerBalanced()).as(text.toString()).isTrue();
            assertThat(summary.stems()).isEqualTo(4 * 12 + 8 * 2);
        }
    }
}
