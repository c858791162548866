package io.stemflow.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.RegistryUsers;
import io.stemflow.registry.auth.Role;
import io.stemflow.registry.support.Users;
import io.stemflow.service.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConfigTest {

    @Test
    void shouldDefaultToInMemoryOnPort8081WhenOnlyAuthenticationTurnedOff() {
        // when
        final RegistryConfig config = RegistryConfig.fromEnvironment(Map.of("STEMFLOW_REGISTRY_AUTH", "off"));

        // then
        assertThat(config.store()).isEqualTo(RegistryConfig.Store.IN_MEMORY);
        assertThat(config.port()).isEqualTo(8081);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.topic()).isEqualTo("_schemas");
        assertThat(config.defaultCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(config.access()).isEqualTo(RegistryAccess.off());
        assertThat(config.hardDelete()).isFalse();
    }

    @Test
    void shouldUseKafkaStoreWhenBootstrapSetInEnvironment() {
        // when
        final RegistryConfig config = RegistryConfig.fromEnvironment(Map.of(
                "STEMFLOW_REGISTRY_PORT", "9090",
                "STEMFLOW_REGISTRY_KAFKA_BOOTSTRAP", "localhost:9092",
                "STEMFLOW_REGISTRY_TOPIC", "stemflow-schemas",
                "STEMFLOW_REGISTRY_AUTH", "off"));

        // then
        assertThat(config.store()).isEqualTo(RegistryConfig.Store.KAFKA);
        assertThat(config.port()).isEqualTo(9090);
        assertThat(config.kafkaStoreConfig().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.kafkaStoreConfig().topic()).isEqualTo("stemflow-schemas");
        assertThat(config.kafkaStoreConfig().replicationFactor()).isEqualTo((short) 1);
    }

    @Test
    void shouldNameVariableWhenPortNotANumber() {
        assertThatThrownBy(() -> RegistryConfig.fromEnvironment(Map.of("STEMFLOW_REGISTRY_PORT", "eighty")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STEMFLOW_REGISTRY_PORT")
                .hasMessageContaining("eighty");
    }

    @Test
    void shouldRefuseToStartNamingTheSettingsWhenNoUserConfigured() {
        assertThatThrownBy(() -> RegistryConfig.fromEnvironment(Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("no registry user is configured")
                .hasMessageContaining("STEMFLOW_REGISTRY_USERS_FILE")
                .hasMessageContaining("STEMFLOW_REGISTRY_AUTH=off");
    }

    @Test
    void shouldReadUsersFromFileAndKeepReadsOpenWhenNotSaidOtherwise(@TempDir final Path dir) throws Exception {
        // given
        final Path file = dir.resolve("registry-users");
        Files.writeString(file, "# stemflow registry users\n" + Users.line("svc", Role.WRITER, "pw1") + "\n\n"
                + Users.line("ops", Role.ADMIN, "pw2") + "\n");

        // when
        final RegistryConfig config = RegistryConfig.fromEnvironment(Map.of(
                "STEMFLOW_REGISTRY_USERS_FILE", file.toString(), "STEMFLOW_REGISTRY_HARD_DELETE", "true"));

        // then
        final RegistryAccess.Basic basic = (RegistryAccess.Basic) config.access();
        assertThat(basic.openReads()).isTrue();
        assertThat(basic.users().users()).extracting(RegistryUsers.User::name).containsExactly("svc", "ops");
        assertThat(basic.users().authenticate("ops", "pw2")).contains(Role.ADMIN);
        assertThat(config.hardDelete()).isTrue();
    }

    @Test
    void shouldReadCommaSeparatedUsersAndClosedReadsFromEnvironment() {
        // when
        final RegistryConfig config = RegistryConfig.fromEnvironment(Map.of(
                "STEMFLOW_REGISTRY_USERS", Users.line("r", Role.READER, "a") + " , " + Users.line("w", Role.WRITER, "b"),
                "STEMFLOW_REGISTRY_OPEN_READS", "false"));

        // then
        final RegistryAccess.Basic basic = (RegistryAccess.Basic) config.access();
        assertThat(basic.openReads()).isFalse();
        assertThat(basic.users().authenticate("w", "b")).contains(Role.WRITER);
    }

    @Test
    void shouldReportEveryContradictionWithoutShowingAHash() {
        // given
        final String line = Users.line("svc", Role.WRITER, "pw");
        final String hash = line.substring(line.lastIndexOf(':') + 1);

        // when / then
        assertThatThrownBy(() -> RegistryConfig.fromEnvironment(Map.of(
                "STEMFLOW_REGISTRY_AUTH", "off", "STEMFLOW_REGISTRY_USERS", line,
                "STEMFLOW_REGISTRY_OPEN_READS", "false", "STEMFLOW_REGISTRY_HARD_DELETE", "maybe")))
                .hasMessageContaining("STEMFLOW_REGISTRY_AUTH=off and registry users")
                .hasMessageContaining("STEMFLOW_REGISTRY_OPEN_READS=false needs users")
                .hasMessageContaining("STEMFLOW_REGISTRY_HARD_DELETE must be true or false")
                .message().doesNotContain(hash);
        assertThatThrownBy(() -> RegistryConfig.fromEnvironment(Map.of(
                "STEMFLOW_REGISTRY_USERS", "svc:owner:" + hash)))
                .hasMessageContaining("STEMFLOW_REGISTRY_USERS entry 1 (user 'svc') has an unknown role")
                .message().doesNotContain(hash);
    }

    @Test
    void shouldRejectInvalidValuesWithMessageNamingSetting() {
        final RegistryConfig valid = RegistryConfig.inMemory();
        assertThatThrownBy(() -> valid.withPort(70_000)).hasMessageContaining("port");
        assertThatThrownBy(() -> valid.withHost(" ")).hasMessageContaining("host");
        assertThatThrownBy(() -> valid.withTopic("bad topic!")).hasMessageContaining("topic");
        assertThatThrownBy(() -> valid.withTopicReplicationFactor((short) 0)).hasMessageContaining("topicReplicationFactor");
        assertThatThrownBy(() -> valid.withStoreTimeout(Duration.ZERO)).hasMessageContaining("storeTimeout");
        assertThatThrownBy(() -> RegistryConfig.kafka(" ")).hasMessageContaining("kafkaBootstrapServers");
    }
}
