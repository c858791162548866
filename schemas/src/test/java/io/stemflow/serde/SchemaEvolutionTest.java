package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.serde.fixtures.TestSchemas;
import io.stemflow.serde.fixtures.Track;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

    private static final String TOPIC = "tracks";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void shouldDecodeAV1RecordWhenTheReaderClassAddsAFieldWithADefault() {
        // given: a producer still on version 1
        final AvroSerde<GenericRecord> v1Producer = AvroSerdes.generic(registry, Map.of(), false);
        final byte[] written = v1Producer.serializer().serialize(TOPIC, TestSchemas.trackV1("t-1", "Intro", 180_000L));

        // when: a consumer on version 2 reads it
        final AvroSerde<Track> v2 = AvroSerdes.specific(Track.class, registry, Map.of(), false);
        final Track read = v2.deserializer().deserialize(TOPIC, written);

        // then
        assertThat(read).isEqualTo(new Track("t-1", "Intro", 180_000L, "unknown"));
    }

    @Test
    void shouldDecodeBothVersionsWhenV2IsRegisteredAfterV1() {
        // given
        final AvroSerde<GenericRecord> v1Producer = AvroSerdes.generic(registry, Map.of(), false);
        final AvroSerde<Track> v2 = AvroSerdes.specific(Track.class, registry, Map.of(), false);
        final byte[] old = v1Producer.serializer().serialize(TOPIC, TestSchemas.trackV1("t-1", "Intro", 1L));

        // when
        final byte[] current = v2.serializer().serialize(TOPIC, new Track("t-2", "Outro", 2L, "ambient"));

        // then
        assertThat(registry.versionIds("tracks-value")).hasSize(2);
        assertThat(v2.deserializer().deserialize(TOPIC, old).genre()).isEqualTo("unknown");
        assertThat(v2.deserializer().deserialize(TOPIC, current).genre()).isEqualTo("ambient");
        assertThat(v1Producer.deserializer().deserialize(TOPIC, current).get("genre").toString()).isEqualTo("ambient");
    }

    @Test
    void shouldResolveIntoAGivenReaderSchemaWhenReadingGenerically() {
        // given
        final byte[] written =
                AvroSerdes.generic(registry, Map.of(), false)
                        .serializer()
                        .serialize(TOPIC, TestSchemas.trackV1("t-1", "Intro", 1L));
        final AvroDeserializer<GenericRecord> reader = AvroDeserializer.generic(registry, Track.SCHEMA$);

        // when
        final GenericRecord read = reader.deserialize(TOPIC, written);

        // then
        assertThat(read.getSchema()).isEqualTo(Track.SCHEMA$);
        assertThat(read.get("genre")).isEqualTo("unknown");
        assertThat(read.get("title")).isEqualTo("Intro");
    }
}
