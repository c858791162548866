package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryConfigTest {

    @Test
    void shouldUseDefaultsWhenNothingIsSet() {
        // given
        final Map<String, String> settings = Map.of();

        // when
        final QueryConfig config = QueryConfig.from(settings);

        // then
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(config.forwardTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.applicationServer()).isEqualTo("127.0.0.1:7070");
    }

    @Test
    void shouldReadEverySettingWhenGiven() {
        // given
        final Map<String, String> settings = Map.of(
                "stemflow.query.host", "10.0.0.5",
                "stemflow.query.port", "8081",
                "stemflow.query.advertised-host", "pipeline-2.internal",
                "stemflow.query.forward-timeout", "500ms",
                "stemflow.query.retry-after", "2500ms");

        // when
        final QueryConfig config = QueryConfig.from(settings);

        // then
        assertThat(config.applicationServer()).isEqualTo("pipeline-2.internal:8081");
        assertThat(config.forwardTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.retryAfterSeconds()).isEqualTo(3);
    }

    @Test
    void shouldAdvertiseTheBoundHostWhenItIsNotAWildcard() {
        // given / when
        final QueryConfig config = QueryConfig.of("127.0.0.1", 9000);

        // then
        assertThat(config.advertisedHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldNameTheSettingWhenAValueIsInvalid() {
        assertThatThrownBy(() -> QueryConfig.from(Map.of("stemflow.query.port", "http")))
                .hasMessageContaining("stemflow.query.port");
        assertThatThrownBy(() -> QueryConfig.of("127.0.0.1", 70_000))
                .hasMessageContaining("stemflow.query.port");
        assertThatThrownBy(() -> QueryConfig.from(Map.of("stemflow.query.forward-timeout", "soon")))
                .hasMessageContaining("stemflow.query.forward-timeout");
        assertThatThrownBy(() -> new QueryConfig("127.0.0.1", 1, null, Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("stemflow.query.forward-timeout");
        assertThatThrownBy(() -> new QueryConfig(" ", 1, null, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("stemflow.query.host");
    }

    @Test
    void shouldRefuseToAdvertiseWhenThePortIsChosenAtStart() {
        // given
        final QueryConfig config = QueryConfig.of("127.0.0.1", 0);

        // when / then
        assertThatThrownBy(config::applicationServer)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stemflow.query.port is 0");
    }
}
