package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.pipeline.topology.PipelineTopology;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.SerdeFactory;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over a real {@link KafkaStreams} that is not running (never started, then closed). */
@WithKafkaStack
class QueryServerNotRunningTest {

    private final HttpProbe http = new HttpProbe();

    @Test
    void shouldAnswerUnavailableWhenStreamsIsNotRunning(final TestStack stack, @TempDir final Path stateDir) {
        // given: the real topology, not started
        final int port = Fixtures.freePort();
        final KafkaStreams streams = new KafkaStreams(topology(), properties(stack, stateDir, port));
        try (QueryServer server = QueryServer.start(streams, QueryConfig.of("127.0.0.1", port), Fixtures.access())) {

            // when
            final HttpProbe.Answer health = http.get(server.url(), "/health");
            final HttpProbe.Answer job = http.get(server.url(), "/jobs/req-1");
            final HttpProbe.Answer account = http.get(server.url(), "/accounts/acct-1");
            final HttpProbe.Answer accounts = http.get(server.url(), "/accounts");

            // then
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().toString()).isEqualTo("{\"status\":\"DOWN\",\"streams\":\"CREATED\"}");
            for (final HttpProbe.Answer answer : new HttpProbe.Answer[] {job, account, accounts}) {
                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.retryAfter()).isEqualTo("1");
                assertThat(answer.json().path("error").asText()).isEqualTo("unavailable");
                assertThat(answer.json().path("message").asText()).contains("CREATED");
            }

            // and when it has been closed
            streams.close(Duration.ofSeconds(10));
            final HttpProbe.Answer closedHealth = http.get(server.url(), "/health");
            final HttpProbe.Answer closedBatch = http.get(server.url(), "/batches/b-1");

            // then
            assertThat(closedHealth.status()).isEqualTo(503);
            assertThat(closedHealth.json().path("streams").asText()).isEqualTo("NOT_RUNNING");
            assertThat(closedBatch.status()).isEqualTo(503);
            assertThat(closedBatch.json().path("error").asText()).isEqualTo("unavailable");
        } finally {
            streams.close(Duration.ofSeconds(10));
        }
    }

    private static org.apache.kafka.streams.Topology topology() {
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        final Topics topics = Topics.create(new SerdeFactory() {
            @Override
            public <T extends SpecificRecord> Serde<T> valueSerde(final Class<T> type) {
                return AvroSerdes.specific(type, registry, Map.of(), false);
            }
        });
        return PipelineTopology.build(TopologyConfig.defaults(), topics, TopologyMetrics.inMemory());
    }

    private static Properties properties(final TestStack stack, final Path stateDir, final int port) {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, stack.uniqueTopic("query-not-running"));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + port);
        return p;
    }
}
