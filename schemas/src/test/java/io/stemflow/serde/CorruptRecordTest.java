package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.fixtures.TestSchemas;
import io.stemflow.serde.fixtures.Track;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorruptRecordTest {

    private static final String TOPIC = "tracks";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerde<Track> serde = AvroSerdes.specific(Track.class, registry, Map.of(), false);

    @Test
    void shouldNameTheByteWhenTheMagicByteIsWrong() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {7, 0, 0, 0, 1, 2, 'a'}))
                .isInstanceOfSatisfying(MalformedRecordException.class, e -> assertThat(e.isRecordFault()).isTrue())
                .hasMessage("Unknown magic byte 0x07 (expected 0x00) in record of topic 'tracks'");
    }

    @Test
    void shouldGiveTheLengthWhenTheRecordIsTooShort() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0}))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("Record of topic 'tracks' is too short (3 bytes) to hold the Confluent wire-format header");
    }

    @Test
    void shouldNameTheIdAndRegistryWhenTheSchemaIdIsUnknown() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 42, 2, 'a'}))
                .isInstanceOfSatisfying(
                        UnknownSchemaIdException.class,
                        e -> {
                            assertThat(e.schemaId()).isEqualTo(42);
                            assertThat(e.isRecordFault()).isTrue();
                        })
                .hasMessage("Schema id 42 not found in registry in-memory (record of topic 'tracks')");
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, (byte) 0xFF, 0, 0, 0, 2}))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessageStartingWith("Schema id -16777216 not found in registry in-memory");
    }

    @Test
    void shouldSayTheBodyIsTruncatedWhenBytesAreMissing() {
        // given
        final byte[] valid = serde.serializer().serialize(TOPIC, new Track("t-1", "Intro", 180_000L, "jazz"));
        final int id = registry.getLatest("tracks-value").id();

        // when / then
        for (int length = 5; length < valid.length; length++) {
            final byte[] truncated = Arrays.copyOf(valid, length);
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, truncated))
                    .isInstanceOf(MalformedRecordException.class)
                    .hasMessageStartingWith("Avro body of record in topic 'tracks' (schema id " + id + ") is truncated or corrupt");
        }
    }

    @Test
    void shouldSayTheBodyIsCorruptWhenBytesAreLeftOver() {
        // given
        final byte[] valid = serde.serializer().serialize(TOPIC, new Track("t-1", "Intro", 180_000L, "jazz"));
        final byte[] withTrailer = Arrays.copyOf(valid, valid.length + 2);

        // when / then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, withTrailer))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("is truncated or corrupt")
                .hasMessageContaining("left over");
    }

    @Test
    void shouldNameBothSchemasWhenARecordOfAnotherTypeIsInTheTopic() {
        // given
        final byte[] album =
                AvroSerdes.generic(registry, Map.of(), false)
                        .serializer()
                        .serialize(TOPIC + "-other", TestSchemas.album("Blue", 1971));

        // when / then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, album))
                .isInstanceOf(IncompatibleWriterSchemaException.class)
                .hasMessageContaining("topic 'tracks'")
                .hasMessageContaining("io.stemflow.test.Album")
                .hasMessageContaining("io.stemflow.serde.fixtures.Track");
    }
}
