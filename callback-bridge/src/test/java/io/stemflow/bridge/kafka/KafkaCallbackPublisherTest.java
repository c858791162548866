package io.stemflow.bridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import io.stemflow.bridge.Fixtures;
import io.stemflow.serde.AvroSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaCallbackPublisherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final List<String> events = new ArrayList<>();
    private final PublishListener listener = new PublishListener() {
        @Override
        public void acknowledged(final Duration latency) {
            events.add("acknowledged");
        }

        @Override
        public void failed(final PublishException.Kind kind, final Duration latency) {
            events.add("failed " + kind);
        }
    };

    @Test
    void shouldReturnAndReportOnlyAfterTheAcknowledgementWhenKafkaTakesTheRecord() throws Exception {
        // given
        final MockProducer<String, SeparationResult> producer = Fixtures.mockProducer(true);
        final KafkaCallbackPublisher publisher = new KafkaCallbackPublisher(producer, "results", TIMEOUT, listener);

        // when
        publisher.publish("req-1", result("req-1"));

        // then
        assertThat(producer.history()).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo("results");
            assertThat(record.key()).isEqualTo("req-1");
            assertThat(record.value()).isEqualTo(result("req-1"));
        });
        assertThat(events).containsExactly("acknowledged");
    }

    @Test
    void shouldFailAsUnavailableWhenTheSchemaRegistryCannotBeReached() {
        // given
        final MockProducer<String, SeparationResult> producer = new MockProducer<>(true, null, new StringSerializer(),
                AvroSerdes.specific(SeparationResult.class, Map.of("schema.registry.url", Fixtures.NO_REGISTRY,
                        "schema.registry.request.timeout.ms", 500), false).serializer());
        final KafkaCallbackPublisher publisher = new KafkaCallbackPublisher(producer, "results", TIMEOUT, listener);

        // when / then
        assertThatThrownBy(() -> publisher.publish("req-1", result("req-1")))
                .isInstanceOfSatisfying(PublishException.class,
                        e -> assertThat(e.kind()).isEqualTo(PublishException.Kind.UNAVAILABLE))
                .hasMessageStartingWith("Result of request 'req-1' could not be stored in topic 'results'");
        assertThat(events).containsExactly("failed UNAVAILABLE");
    }

    @Test
    void shouldFailAsUnavailableWhenTheProducerIsClosed() {
        // given
        final MockProducer<String, SeparationResult> producer = Fixtures.mockProducer(true);
        final KafkaCallbackPublisher publisher = new KafkaCallbackPublisher(producer, "results", TIMEOUT, listener);
        publisher.close();

        // when / then
        assertThatThrownBy(() -> publisher.publish("req-1", result("req-1")))
                .isInstanceOfSatisfying(PublishException.class,
                        e -> assertThat(e.kind()).isEqualTo(PublishException.Kind.UNAVAILABLE));
        assertThat(producer.closed()).isTrue();
        assertThat(producer.history()).isEmpty();
    }

    private static SeparationResult result(final String requestId) {
        return new SeparationResult(requestId, "task-1", 200, null, List.of(), null, ResultSource.CALLBACK, Fixtures.NOW);
    }
}
