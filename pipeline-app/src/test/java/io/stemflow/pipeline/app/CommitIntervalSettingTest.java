package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.service.SettingsException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** {@code STEMFLOW_STREAMS_COMMIT_INTERVAL}: read once, validated, and the Streams property it sets. */
class CommitIntervalSettingTest {

    private static Properties properties(final String commitInterval) {
        final Map<String, String> env = new HashMap<>();
        env.put(PipelineMain.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        env.put(PipelineMain.SCHEMA_REGISTRY_URL, "http://localhost:8081");
        env.put("STEMFLOW_VIEWER_TOKENS", "settings-viewer-token-0123456789");
        if (commitInterval != null) {
            env.put(PipelineMain.COMMIT_INTERVAL, commitInterval);
        }
        return PipelineStreams.properties(PipelineMain.fromEnv(env).streams(), Optional.empty());
    }

    @Test
    void shouldCommitEvery200MillisecondsWhenTheVariableIsUnset() {
        // when / then
        assertThat(properties(null)).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
    }

    @Test
    void shouldSetStreamsCommitIntervalWhenTheVariableIsADuration() {
        // when / then
        assertThat(properties("50ms")).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50");
        assertThat(properties("PT1S")).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
    }

    @Test
    void shouldNameTheVariableWhenTheIntervalIsNotADuration() {
        // when / then
        assertThatThrownBy(() -> properties("fast")).isInstanceOf(SettingsException.class)
                .hasMessageContaining(PipelineMain.COMMIT_INTERVAL).hasMessageContaining("fast");
    }

    @Test
    void shouldNameTheVariableWhenTheIntervalIsZero() {
        // when / then
        assertThatThrownBy(() -> properties("0ms")).isInstanceOf(SettingsException.class)
                .hasMessageContaining(PipelineMain.COMMIT_INTERVAL);
    }

    @Test
    void shouldNameTheVariableWhenTheIntervalOutlastsATransaction() {
        // when / then: Streams aborts a transaction open longer than its 10 s timeout
        assertThatThrownBy(() -> properties("6s")).isInstanceOf(SettingsException.class)
                .hasMessageContaining(PipelineMain.COMMIT_INTERVAL);
    }
}
