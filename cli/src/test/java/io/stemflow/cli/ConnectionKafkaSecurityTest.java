package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.localstack.SecureKafka;
import io.stemflow.localstack.StackInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The CLI's Kafka client security goes with its bootstrap servers: the environment's, or a secure stack's operator. */
class ConnectionKafkaSecurityTest {

    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        Connection connection;
    }

    private Connection parse(final Map<String, String> env, final String... args) {
        final Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.connection.withEnvironment(env);
    }

    private Path stackFile(final boolean secure) {
        final Path file = dir.resolve("stack.json");
        final Map<String, String> services = new HashMap<>(Map.of("query-api", "http://file:7070/"));
        if (secure) {
            services.put(SecureKafka.STACK_KEY, "SASL_SSL");
        }
        new StackInfo("file:9092", "http://file:8081", dir.toString(), 1, Instant.EPOCH, services, Map.of())
                .writeTo(file);
        return file;
    }

    @Test
    void shouldLogInAsTheOperatorWhenTheBootstrapServersComeFromASecureStack() throws Exception {
        // given a secure stack's files
        final Path password = SecureKafka.dir(dir).resolve("users").resolve("stemflow-operator.password");
        Files.createDirectories(password.getParent());
        Files.writeString(password, "operator-password\n");
        Files.createDirectories(SecureKafka.dir(dir).resolve("tls"));
        Files.writeString(SecureKafka.dir(dir).resolve("tls").resolve("truststore.p12"), "x");
        Files.writeString(SecureKafka.dir(dir).resolve("tls").resolve("truststore.p12.password"), "trust\n");

        // when
        final Map<String, Object> client = parse(Map.of(), "--stack-file", stackFile(true).toString()).kafkaClient();

        // then
        assertThat(client).containsEntry("bootstrap.servers", "file:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat((String) client.get("sasl.jaas.config")).contains("username=\"stemflow-operator\"");
    }

    @Test
    void shouldUseTheEnvironmentsSecurityWhenTheBootstrapServersComeFromTheEnvironment() {
        // given a secure stack file, but the bootstrap servers and security from the environment
        final Map<String, String> env = Map.of(Connection.ENV_BOOTSTRAP, "env:9093",
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "STEMFLOW_KAFKA_SASL_MECHANISM", "PLAIN",
                "STEMFLOW_KAFKA_SASL_USERNAME", "ci", "STEMFLOW_KAFKA_SASL_PASSWORD", "ci-password");

        // when
        final Map<String, Object> client = parse(env, "--stack-file", stackFile(true).toString()).kafkaClient();

        // then
        assertThat(client).containsEntry("bootstrap.servers", "env:9093")
                .containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "PLAIN");
    }

    @Test
    void shouldConnectWithoutSecurityWhenThePlainStacksFileGivesTheBootstrapServers() {
        final Map<String, Object> client = parse(Map.of(), "--stack-file", stackFile(false).toString()).kafkaClient();

        assertThat(client).containsOnlyKeys("bootstrap.servers");
    }

    @Test
    void shouldExitWithBadUsageNamingTheVariableWhenTheEnvironmentsSecurityIsIncomplete() {
        final Map<String, String> env = Map.of(Connection.ENV_BOOTSTRAP, "env:9093",
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "STEMFLOW_KAFKA_SASL_USERNAME", "ci");

        assertThatThrownBy(() -> parse(env).kafkaClient()).isInstanceOf(CliException.class)
                .hasMessageContaining("STEMFLOW_KAFKA_SASL_PASSWORD");
    }
}
