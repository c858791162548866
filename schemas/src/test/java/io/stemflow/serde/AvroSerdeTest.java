package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.fixtures.TestSchemas;
import io.stemflow.serde.fixtures.Track;
import io.stemflow.serde.registry.IncompatibleSchemaException;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AvroSerdeTest {

    private static final String TOPIC = "tracks";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void shouldRoundTripASpecificRecordAndFrameItWithTheRegistryIdWhenSerialising() {
        // given
        final AvroSerde<Track> serde = AvroSerdes.specific(Track.class, registry, Map.of(), false);
        final Track track = new Track("t-1", "Intro", 180_000L, "jazz");

        // when
        final byte[] bytes = serde.serializer().serialize(TOPIC, track);
        final Track back = serde.deserializer().deserialize(TOPIC, bytes);

        // then
        assertThat(back).isEqualTo(track);
        assertThat(back.title()).isEqualTo("Intro");
        assertThat(registry.subjects()).containsExactly("tracks-value");
        final int id = registry.getLatest("tracks-value").id();
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    }

    @Test
    void shouldRoundTripAGenericRecordUnderTheKeySubjectWhenTheSerdeIsForKeys() {
        // given
        final AvroSerde<GenericRecord> serde = AvroSerdes.generic(registry, Map.of(), true);
        final GenericRecord album = TestSchemas.album("Blue", 1971);

        // when
        final byte[] bytes = serde.serializer().serialize("albums", album);
        final GenericRecord back = serde.deserializer().deserialize("albums", bytes);

        // then
        assertThat(back).isEqualTo(album);
        assertThat(back.get("title").toString()).isEqualTo("Blue");
        assertThat(registry.subjects()).containsExactly("albums-key");
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registry.getLatest("albums-key").id());
    }

    @ParameterizedTest
    @CsvSource({
        "TopicNameStrategy, false, tracks-value",
        "TopicNameStrategy, true, tracks-key",
        "io.confluent.kafka.serializers.subject.RecordNameStrategy, false, io.stemflow.serde.fixtures.Track",
        "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy, true, tracks-io.stemflow.serde.fixtures.Track"
    })
    void shouldRegisterUnderTheSubjectTheStrategyNamesWhenConfigured(String strategy, boolean isKey, String subject) {
        // given
        final String setting = isKey ? "key.subject.name.strategy" : "value.subject.name.strategy";
        final AvroSerde<Track> serde = AvroSerdes.specific(Track.class, registry, Map.of(setting, strategy), isKey);

        // when
        final byte[] bytes = serde.serializer().serialize(TOPIC, new Track("t-1", "Intro", 1L, "pop"));

        // then
        assertThat(registry.subjects()).containsExactly(subject);
        assertThat(serde.deserializer().deserialize(TOPIC, bytes).id()).isEqualTo("t-1");
    }

    @Test
    void shouldWriteWithTheLatestVersionWhenUseLatestVersionIsSet() {
        // given: the latest version orders the fields differently and adds one with a default
        final Schema latest =
                TestSchemas.parse(
                        "{\"type\":\"record\",\"name\":\"Track\",\"namespace\":\"io.stemflow.serde.fixtures\",\"fields\":["
                                + "{\"name\":\"genre\",\"type\":\"string\",\"default\":\"unknown\"},"
                                + "{\"name\":\"durationMs\",\"type\":\"long\"},"
                                + "{\"name\":\"title\",\"type\":\"string\"},"
                                + "{\"name\":\"id\",\"type\":\"string\"}]}");
        registry.register("tracks-value", TestSchemas.TRACK_V1);
        final int latestId = registry.register("tracks-value", latest);
        final AvroSerializer<GenericRecord> serializer =
                new AvroSerializer<>(registry, AvroSerdeConfig.parse(Map.of("use.latest.version", "true"), true), false);
        final AvroDeserializer<Track> deserializer = AvroDeserializer.specific(Track.class, registry);

        // when
        final byte[] bytes = serializer.serialize(TOPIC, TestSchemas.trackV1("t-1", "Intro", 180_000L));
        final Track back = deserializer.deserialize(TOPIC, bytes);

        // then
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
        assertThat(back).isEqualTo(new Track("t-1", "Intro", 180_000L, "unknown"));
        assertThat(registry.versionIds("tracks-value")).hasSize(2);
    }

    @Test
    void shouldNameTheSubjectWhenUseLatestVersionFindsNoVersion() {
        // given
        final AvroSerde<Track> serde =
                AvroSerdes.specific(Track.class, registry, Map.of("use.latest.version", true), false);

        // when / then
        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, new Track("t-1", "Intro", 1L, "pop")))
                .isInstanceOfSatisfying(SchemaNotRegisteredException.class, e -> assertThat(e.subject()).isEqualTo("tracks-value"))
                .hasMessageContaining("Subject 'tracks-value'")
                .hasMessageContaining("use.latest.version=true");
    }

    @Test
    void shouldRefuseAValueTheLatestVersionCannotRepresentWhenUseLatestVersionIsSet() {
        // given
        registry.register("tracks-value", TestSchemas.TRACK_V1);
        final AvroSerializer<GenericRecord> serializer =
                new AvroSerializer<>(registry, AvroSerdeConfig.parse(Map.of("use.latest.version", "true"), true), false);

        // when / then
        assertThatThrownBy(() -> serializer.serialize(TOPIC, TestSchemas.album("Blue", 1971)))
                .isInstanceOf(UnserializableValueException.class)
                .hasMessageContaining("Latest schema of subject 'tracks-value'")
                .hasMessageContaining("io.stemflow.test.Album");
    }

    @Test
    void shouldFailNamingTheSubjectWhenAutoRegisterIsOffAndTheSchemaIsNotRegistered() {
        // given
        final AvroSerde<Track> serde =
                AvroSerdes.specific(Track.class, registry, Map.of("auto.register.schemas", "false"), false);

        // when / then
        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, new Track("t-1", "Intro", 1L, "pop")))
                .isInstanceOfSatisfying(
                        SchemaNotRegisteredException.class,
                        e -> {
                            assertThat(e.subject()).isEqualTo("tracks-value");
                            assertThat(e.isRecordFault()).isFalse();
                        })
                .hasMessage(
                        "Schema io.stemflow.serde.fixtures.Track is not registered under subject 'tracks-value' (topic 'tracks') "
                                + "in registry in-memory, and auto.register.schemas=false: register it first");
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void shouldUseTheRegisteredIdWithoutRegisteringWhenAutoRegisterIsOff() {
        // given
        final int id = registry.register("tracks-value", JavaProperties.strip(Track.SCHEMA$)); // the .avsc, as another tool registers it
        final AvroSerde<Track> serde =
                AvroSerdes.specific(Track.class, registry, Map.of("auto.register.schemas", false), false);

        // when
        final byte[] bytes = serde.serializer().serialize(TOPIC, new Track("t-1", "Intro", 1L, "pop"));

        // then
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(registry.versionIds("tracks-value")).containsExactly(id);
    }

    @Test
    void shouldPassTombstonesThroughWhenTheValueIsNull() {
        // given
        final AvroSerde<Track> serde = AvroSerdes.specific(Track.class, registry, Map.of(), false);

        // when / then
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void shouldNameTheSubjectAndKeepTheRegistryReasonWhenTheSchemaIsIncompatible() {
        // given
        registry.register("tracks-value", TestSchemas.TRACK_V1);
        final AvroSerde<GenericRecord> serde = AvroSerdes.generic(registry, Map.of(), false);

        // when / then
        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, TestSchemas.album("Blue", 1971)))
                .isInstanceOfSatisfying(RegistryFailureException.class, e -> assertThat(e.isRecordFault()).isFalse())
                .hasMessageContaining("subject 'tracks-value'")
                .hasMessageContaining("incompatible")
                .hasCauseInstanceOf(IncompatibleSchemaException.class);
    }

    @Test
    void shouldNameTheTopicAndSchemaWhenAValueCannotBeWritten() {
        // given
        final AvroSerde<GenericRecord> serde = AvroSerdes.generic(registry, Map.of(), false);
        final GenericRecord missingTitle = new GenericData.Record(TestSchemas.ALBUM);
        missingTitle.put("year", 1971);

        // when / then
        assertThatThrownBy(() -> serde.serializer().serialize("albums", missingTitle))
                .isInstanceOf(UnserializableValueException.class)
                .hasMessageContaining("io.stemflow.test.Album")
                .hasMessageContaining("topic 'albums'");
    }

    @Test
    void shouldTellTheCallerToConfigureWhenBuiltByReflectionAndUsedUnconfigured() {
        assertThatThrownBy(() -> new AvroSerializer<GenericRecord>().serialize(TOPIC, TestSchemas.album("Blue", 1971)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not configured");
        assertThatThrownBy(() -> new AvroDeserializer<GenericRecord>().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 1}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not configured");
    }
}
