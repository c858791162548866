package io.stemflow.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.compat.CompatibilityLevel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void shouldDefaultToInMemoryOnPort8081WhenEnvironmentEmpty() {
        // when
        final RegistryConfig config = RegistryConfig.fromEnvironment(Map.of());

        // then
        assertThat(config.store()).isEqualTo(RegistryConfig.Store.IN_MEMORY);
        assertThat(config.port()).isEqualTo(8081);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.topic()).isEqualTo("_schemas");
        assertThat(config.defaultCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldUseKafkaStoreWhenBootstrapSetInEnvironment() {
        // when
        final RegistryConfig config = RegistryConfig.fromEnvironment(Map.of(
                "STEMFLOW_REGISTRY_PORT", "9090",
                "STEMFLOW_REGISTRY_KAFKA_BOOTSTRAP", "localhost:9092",
                "STEMFLOW_REGISTRY_TOPIC", "stemflow-schemas"));

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
