package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.service.SettingsException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** {@code STEMFLOW_STREAMS_ROCKSDB_MEMORY}: read once, validated, and what it puts into the Streams properties. */
class RocksDbMemorySettingTest {

    private static Map<String, String> env(final String rocksDbMemory) {
        final Map<String, String> env = new HashMap<>();
        env.put(PipelineMain.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        env.put(PipelineMain.SCHEMA_REGISTRY_URL, "http://localhost:8081");
        env.put("STEMFLOW_VIEWER_TOKENS", "settings-viewer-token-0123456789");
        if (rocksDbMemory != null) {
            env.put(PipelineMain.ROCKSDB_MEMORY, rocksDbMemory);
        }
        return env;
    }

    private static PipelineStreamsConfig config(final long rocksDbMemory) {
        return new PipelineStreamsConfig("app", "localhost:9092", "http://localhost:8081", Path.of("state"), 1, 1,
                null, Map.of(), rocksDbMemory);
    }

    @Test
    void shouldBound128MibWhenTheVariableIsUnset() {
        // when
        final PipelineMain.Config config = PipelineMain.fromEnv(env(null));

        // then
        assertThat(config.streams().rocksDbMemory()).isEqualTo(128L << 20)
                .isEqualTo(PipelineStreamsConfig.DEFAULT_ROCKSDB_MEMORY);
    }

    @Test
    void shouldReadTheBudgetWhenItIsWrittenWithAUnitOrInBytes() {
        // when / then
        assertThat(PipelineMain.fromEnv(env("256MiB")).streams().rocksDbMemory()).isEqualTo(256L << 20);
        assertThat(PipelineMain.fromEnv(env("1GiB")).streams().rocksDbMemory()).isEqualTo(1L << 30);
        assertThat(PipelineMain.fromEnv(env("67108864")).streams().rocksDbMemory()).isEqualTo(64L << 20);
    }

    @Test
    void shouldKeepStreamsDefaultsWhenTheBudgetIsZero() {
        // given
        final PipelineMain.Config config = PipelineMain.fromEnv(env("0"));

        // when
        final Properties properties = PipelineStreams.properties(config.streams(), Optional.empty());

        // then
        assertThat(config.streams().rocksDbMemory()).isZero();
        assertThat(properties).doesNotContainKeys(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                BoundedRocksDb.BUDGET_CONFIG);
    }

    @Test
    void shouldNameTheVariableWhenTheBudgetIsNotASize() {
        // when / then
        assertThatThrownBy(() -> PipelineMain.fromEnv(env("128MB"))).isInstanceOf(SettingsException.class)
                .hasMessageContaining(PipelineMain.ROCKSDB_MEMORY).hasMessageContaining("128MB")
                .hasMessageContaining(MemorySize.EXPECTED);
    }

    @Test
    void shouldNameTheVariableWhenTheBudgetIsBelowTheSmallest() {
        // when / then: a bare number is bytes, so "128" is 128 bytes, not 128 MiB
        assertThatThrownBy(() -> PipelineMain.fromEnv(env("128"))).isInstanceOf(SettingsException.class)
                .hasMessageContaining(PipelineMain.ROCKSDB_MEMORY).hasMessageContaining("at least 16MiB")
                .hasMessageContaining("'128'");
        assertThatThrownBy(() -> PipelineMain.fromEnv(env("15MiB"))).isInstanceOf(SettingsException.class)
                .hasMessageContaining(PipelineMain.ROCKSDB_MEMORY);
        assertThat(PipelineMain.fromEnv(env("16MiB")).streams().rocksDbMemory()).isEqualTo(16L << 20);
    }

    @Test
    void shouldRefuseABudgetWhenTheConfigRecordIsBuiltBelowTheSmallest() {
        // when / then
        assertThatThrownBy(() -> config(1024)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stemflow.streams.rocksdb-memory");
        assertThatThrownBy(() -> config(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(config(0).rocksDbMemory()).isZero();
        assertThat(config(0).withRocksDbMemory(32L << 20).withApplicationServer("h:1").withExtra(Map.of("k", "v"))
                .rocksDbMemory()).isEqualTo(32L << 20);
    }

    @Test
    void shouldCarryTheSetterAndTheBudgetWhenTheStreamsPropertiesAreBuiltWithABudget() {
        // given
        try (RocksDbBudget budget = RocksDbBudget.of(32L << 20)) {
            // when
            final Properties properties = PipelineStreams.properties(config(32L << 20), Optional.of(budget));

            // then: Streams instantiates the setter by class and hands it the configs, budget included
            final StreamsConfig streams = new StreamsConfig(properties);
            assertThat(streams.getClass(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
                    .isEqualTo(BoundedRocksDb.class);
            assertThat(streams.originals().get(BoundedRocksDb.BUDGET_CONFIG)).isSameAs(budget);
        }
    }
}
