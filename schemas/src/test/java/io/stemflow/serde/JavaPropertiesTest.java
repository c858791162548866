package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.schemas.Contract;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class JavaPropertiesTest {

    private static final String TOPIC = TopicNames.REQUESTS;
    private static final String SUBJECT = Contract.valueSubject(TOPIC);

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void shouldRegisterTheAvscSchemaWhenAGeneratedRecordIsSerialised() {
        // given a serde with default settings
        final AvroSerde<SeparationRequest> serde = AvroSerdes.specific(SeparationRequest.class, registry, Map.of(), false);
        final SeparationRequest sent = request();

        // when
        final byte[] bytes = serde.serializer().serialize(TOPIC, sent);

        // then the subject holds the .avsc's schema, and the record names its id
        final Schema registered = registry.getLatest(SUBJECT).schema();
        assertThat(registered).isEqualTo(Contract.valueSchemasByTopic().get(TOPIC));
        assertThat(registered.toString()).doesNotContain("avro.java.string");
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registry.getId(SUBJECT, registered));
        // and it reads back into the generated class, strings as String
        final SeparationRequest read = serde.deserializer().deserialize(TOPIC, bytes);
        assertThat(read).isEqualTo(sent);
        assertThat((Object) read.getRequestId()).isInstanceOf(String.class);
    }

    @Test
    void shouldWriteTheSameBytesWhetherJavaPropertiesAreRemovedOrKept() {
        // given
        final SeparationRequest sent = request();
        final AvroSerde<SeparationRequest> stripping = AvroSerdes.specific(SeparationRequest.class, registry, Map.of(), false);
        final AvroSerde<SeparationRequest> keeping = AvroSerdes.specific(SeparationRequest.class, registry,
                Map.of(AvroSerdeConfig.REMOVE_JAVA_PROPERTIES, "false"), false);

        // when
        final byte[] stripped = stripping.serializer().serialize(TOPIC, sent);
        final byte[] kept = keeping.serializer().serialize(TOPIC, sent);

        // then kept registers the generated class's schema as a second version, and only the id differs
        assertThat(registry.getLatest(SUBJECT).schema()).isEqualTo(SeparationRequest.getClassSchema());
        assertThat(registry.getLatest(SUBJECT).version()).isEqualTo(2);
        assertThat(ByteBuffer.wrap(kept, 1, 4).getInt()).isNotEqualTo(ByteBuffer.wrap(stripped, 1, 4).getInt());
        assertThat(ByteBuffer.wrap(kept, 5, kept.length - 5)).isEqualTo(ByteBuffer.wrap(stripped, 5, stripped.length - 5));
        assertThat(stripping.deserializer().deserialize(TOPIC, kept)).isEqualTo(sent);
    }

    @Test
    void shouldReturnTheSchemaItselfWhenItHasNoJavaProperties() {
        // given
        final Schema avsc = Contract.valueSchemasByTopic().get(TOPIC);

        // when / then
        assertThat(JavaProperties.strip(avsc)).isSameAs(avsc);
        assertThat(JavaProperties.strip(SeparationRequest.getClassSchema())).isEqualTo(avsc);
    }

    private static SeparationRequest request() {
        Contract.trustGeneratedClasses();
        return SeparationRequest.newBuilder()
                .setRequestId("req-1").setAccountId("label-a").setBatchId("batch-1").setTaskId("task-1")
                .setAudioId("audio-1").setType(SeparationType.SEPARATE_VOCAL).setLabels(Map.of())
                .setRequestedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
