package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.http.HttpAccess;
import io.stemflow.service.SettingsException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The query API's access settings as the pipeline reads them: loopback by default, no start without a token. */
class QueryAccessSettingsTest {

    private static Map<String, String> env(final String... pairs) {
        final Map<String, String> env = new HashMap<>();
        env.put(PipelineMain.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        env.put(PipelineMain.SCHEMA_REGISTRY_URL, "http://localhost:8081");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void shouldListenOnLoopbackWithTokensWhenNothingElseIsConfigured() {
        // when
        final PipelineMain.Config config = PipelineMain.fromEnv(env("STEMFLOW_OPERATOR_TOKENS",
                "operator-token-0123456789"));
        // then
        assertThat(config.query().host()).isEqualTo("127.0.0.1");
        assertThat(config.access().auth()).isEqualTo(HttpAccess.Auth.TOKENS);
    }

    @Test
    void shouldRefuseToStartWhenNoTokenIsConfiguredAndAuthIsNotTurnedOff() {
        // when / then
        assertThatThrownBy(() -> PipelineMain.fromEnv(env()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("STEMFLOW_VIEWER_TOKENS")
                .hasMessageContaining("STEMFLOW_OPERATOR_TOKENS")
                .hasMessageContaining("STEMFLOW_HTTP_AUTH=off");
    }

    @Test
    void shouldServeWithoutTokensWhenAuthIsTurnedOffExplicitly() {
        // when
        final PipelineMain.Config config = PipelineMain.fromEnv(env("STEMFLOW_HTTP_AUTH", "off",
                "STEMFLOW_QUERY_HOST", "0.0.0.0"));
        // then
        assertThat(config.access().auth()).isEqualTo(HttpAccess.Auth.OFF);
        assertThat(config.query().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void shouldNameTheSettingWithoutItsValueWhenATokenIsTooShort() {
        // when / then
        assertThatThrownBy(() -> PipelineMain.fromEnv(env("STEMFLOW_VIEWER_TOKENS", "short-secret")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("STEMFLOW_VIEWER_TOKENS")
                .hasMessageNotContaining("short-secret");
    }
}
