package io.stemflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.service.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSecurityTest {

    private static final String PASSWORD = "s3cret-Pa55word-never-shown";

    @TempDir
    Path dir;

    @Test
    void shouldBeNoneWhenNothingIsSet() {
        // when
        final KafkaClientSecurity security = KafkaClientSecurity.fromEnv("test", Map.of());

        // then
        assertThat(security.isNone()).isTrue();
        assertThat(security.properties()).isEmpty();
        assertThat(security.describe()).isEqualTo("PLAINTEXT");
    }

    @Test
    void shouldBuildScramOverTlsWhenEverySettingIsGiven() throws IOException {
        // given
        final Path truststore = Files.writeString(dir.resolve("trust.p12"), "not parsed here");
        final Map<String, String> env = Map.of(
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
                "STEMFLOW_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "STEMFLOW_KAFKA_SASL_USERNAME", "stemflow-bridge",
                "STEMFLOW_KAFKA_SASL_PASSWORD", PASSWORD,
                "STEMFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString(),
                "STEMFLOW_KAFKA_SSL_TRUSTSTORE_PASSWORD", "trust-" + PASSWORD,
                "STEMFLOW_KAFKA_SSL_TRUSTSTORE_TYPE", "pkcs12");

        // when
        final KafkaClientSecurity security = KafkaClientSecurity.fromEnv("test", env);

        // then
        assertThat(security.properties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"stemflow-bridge\" password=\"" + PASSWORD + "\";")
                .containsEntry("ssl.truststore.location", truststore.toAbsolutePath().toString())
                .containsEntry("ssl.truststore.password", "trust-" + PASSWORD)
                .containsEntry("ssl.truststore.type", "PKCS12");
        assertThat(security.describe()).contains("SASL_SSL", "SCRAM-SHA-512", "stemflow-bridge").doesNotContain(PASSWORD);
        assertThat(security.toString()).doesNotContain(PASSWORD);
        final Map<String, Object> client = security.applyTo(new HashMap<>(Map.of("bootstrap.servers", "h:1")));
        assertThat(client).containsEntry("bootstrap.servers", "h:1").containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void shouldReadThePasswordFromAFileWhenTheFileVariableIsSet() throws IOException {
        // given
        final Path file = Files.writeString(dir.resolve("kafka-password"), "# the bridge's SCRAM password\n"
                + "  " + PASSWORD + "  \n");
        final Map<String, String> env = Map.of(
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "STEMFLOW_KAFKA_SASL_MECHANISM", "PLAIN",
                "STEMFLOW_KAFKA_SASL_USERNAME", "op\"er",
                "STEMFLOW_KAFKA_SASL_PASSWORD_FILE", file.toString());

        // when
        final KafkaClientSecurity security = KafkaClientSecurity.fromEnv("test", env);

        // then
        assertThat(security.properties().get("sasl.jaas.config")).isEqualTo(
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"op\\\"er\" password=\""
                        + PASSWORD + "\";");
    }

    @Test
    void shouldNameThePasswordWhenItIsMissing() {
        // given
        final Map<String, String> env = Map.of(
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "STEMFLOW_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256",
                "STEMFLOW_KAFKA_SASL_USERNAME", "stemflow-gateway");

        // when / then
        assertThatThrownBy(() -> KafkaClientSecurity.fromEnv("gateway", env))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("STEMFLOW_KAFKA_SASL_PASSWORD (or STEMFLOW_KAFKA_SASL_PASSWORD_FILE) is required");
    }

    @Test
    void shouldRefuseBothThePasswordAndItsFileWithoutShowingEitherWhenBothAreSet() throws IOException {
        // given
        final Path file = Files.writeString(dir.resolve("kafka-password"), PASSWORD + "-from-file\n");
        final Map<String, String> env = Map.of(
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "STEMFLOW_KAFKA_SASL_USERNAME", "stemflow-gateway",
                "STEMFLOW_KAFKA_SASL_PASSWORD", PASSWORD,
                "STEMFLOW_KAFKA_SASL_PASSWORD_FILE", file.toString());

        // when / then
        assertThatThrownBy(() -> KafkaClientSecurity.fromEnv("gateway", env))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("set only one of STEMFLOW_KAFKA_SASL_PASSWORD and STEMFLOW_KAFKA_SASL_PASSWORD_FILE")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void shouldNameEveryBadSettingWithoutASecretWhenSettingsContradictTheProtocol() throws IOException {
        // given
        final Map<String, String> env = Map.of(
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT",
                "STEMFLOW_KAFKA_SASL_USERNAME", "u",
                "STEMFLOW_KAFKA_SASL_PASSWORD", PASSWORD,
                "STEMFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION", dir.resolve("missing.p12").toString(),
                "STEMFLOW_KAFKA_SSL_KEYSTORE_PASSWORD", PASSWORD);

        // when / then
        assertThatThrownBy(() -> KafkaClientSecurity.fromEnv("bridge", env))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("STEMFLOW_KAFKA_SASL_USERNAME is set but STEMFLOW_KAFKA_SECURITY_PROTOCOL is PLAINTEXT")
                .hasMessageContaining("STEMFLOW_KAFKA_SASL_PASSWORD (or _FILE) is set but")
                .hasMessageContaining("STEMFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION is set but")
                .hasMessageContaining("STEMFLOW_KAFKA_SSL_KEYSTORE_PASSWORD (or _FILE) is set but"
                        + " STEMFLOW_KAFKA_SSL_KEYSTORE_LOCATION is not")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void shouldNameTheProtocolWhenItIsUnknown() {
        assertThatThrownBy(() -> KafkaClientSecurity.fromEnv("cli", Map.of("STEMFLOW_KAFKA_SECURITY_PROTOCOL", "TLS")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("STEMFLOW_KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_PLAINTEXT,"
                        + " SASL_SSL, was 'TLS'");
    }

    @Test
    void shouldRequireAKeystorePasswordWhenAKeystoreIsGiven() throws IOException {
        // given
        final Path keystore = Files.writeString(dir.resolve("client.p12"), "x");
        final Map<String, String> env = Map.of(
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SSL",
                "STEMFLOW_KAFKA_SSL_KEYSTORE_LOCATION", keystore.toString());

        // when / then
        assertThatThrownBy(() -> KafkaClientSecurity.fromEnv("cli", env))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("STEMFLOW_KAFKA_SSL_KEYSTORE_PASSWORD (or STEMFLOW_KAFKA_SSL_KEYSTORE_PASSWORD_FILE)"
                        + " is required with STEMFLOW_KAFKA_SSL_KEYSTORE_LOCATION");
    }

    @Test
    void shouldTakeOtherClientPropertiesFromTheFileAndLetTheNamedSettingsWinWhenBothSayIt() throws IOException {
        // given
        final Path file = Files.writeString(dir.resolve("client.properties"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=OAUTHBEARER",
                "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;",
                "ssl.endpoint.identification.algorithm=",
                "request.timeout.ms=45000"));
        final Map<String, String> env = Map.of("STEMFLOW_KAFKA_CLIENT_PROPERTIES_FILE", file.toString(),
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");

        // when
        final KafkaClientSecurity security = KafkaClientSecurity.fromEnv("cli", env);

        // then
        assertThat(security.properties())
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "OAUTHBEARER")
                .containsEntry("ssl.endpoint.identification.algorithm", "")
                .containsEntry("request.timeout.ms", "45000");
        assertThat(security.describe()).isEqualTo("SASL_PLAINTEXT, OAUTHBEARER");
    }

    @Test
    void shouldNameUnknownAndOwnedPropertiesButNotTheirValuesWhenTheFileSetsThem() throws IOException {
        // given
        final Path file = Files.writeString(dir.resolve("client.properties"), String.join("\n",
                "bootstrap.servers=elsewhere:9092",
                "enable.idempotence=false",
                "sasl.passwrod=" + PASSWORD));

        // when / then
        assertThatThrownBy(() -> KafkaClientSecurity.fromEnv("cli",
                Map.of("STEMFLOW_KAFKA_CLIENT_PROPERTIES_FILE", file.toString())))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("sets properties that are not Kafka client properties: [sasl.passwrod]")
                .hasMessageContaining("sets properties stemflow sets itself: [bootstrap.servers, enable.idempotence]")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void shouldNameTheFileWhenThePasswordFileDoesNotExist() {
        // given
        final Map<String, String> env = Map.of(
                "STEMFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "STEMFLOW_KAFKA_SASL_USERNAME", "u",
                "STEMFLOW_KAFKA_SASL_PASSWORD_FILE", dir.resolve("nope").toString());

        // when / then
        assertThatThrownBy(() -> KafkaClientSecurity.fromEnv("cli", env))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("STEMFLOW_KAFKA_SASL_PASSWORD_FILE points to a file that does not exist");
    }
}
