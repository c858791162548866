package io.stemflow.serde;

import static io.stemflow.serde.registry.StubRegistry.error;
import static io.stemflow.serde.registry.StubRegistry.schemaReply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.fixtures.TestSchemas;
import io.stemflow.serde.fixtures.Track;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import io.stemflow.serde.registry.RegistryUnavailableException;
import io.stemflow.serde.registry.StubRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serde configured from Confluent-style settings, over a real HTTP registry stub. */
class AvroSerdeRestTest {

    private static final String TOPIC = "tracks";

    private final StubRegistry stub = StubRegistry.start();

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void shouldRoundTripThroughTheRestRegistryWithBasicAuthWhenConfiguredByUrl() {
        // given
        stub.on("POST", "/subjects/tracks-value/versions", 200, "{\"id\":7}")
                .on("GET", "/schemas/ids/7", 200, schemaReply(Track.SCHEMA$));
        final Map<String, Object> config =
                Map.of(
                        "schema.registry.url", stub.url(),
                        "basic.auth.credentials.source", "USER_INFO",
                        "basic.auth.user.info", "alice:s3cret");
        final AvroSerde<Track> producerSide = AvroSerdes.specific(Track.class, config, false);
        final AvroSerde<Track> consumerSide = AvroSerdes.specific(Track.class, config, false);
        final Track track = new Track("t-1", "Intro", 180_000L, "jazz");

        // when
        final byte[] bytes = producerSide.serializer().serialize(TOPIC, track);
        final Track back = consumerSide.deserializer().deserialize(TOPIC, bytes);
        consumerSide.deserializer().deserialize(TOPIC, bytes);

        // then
        assertThat(back).isEqualTo(track);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(7);
        assertThat(stub.count("GET", "/schemas/ids/7")).isEqualTo(1);
        final String basic = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(stub.requests()).hasSize(2).allSatisfy(request -> assertThat(request.header("Authorization")).isEqualTo(basic));
    }

    @Test
    void shouldChooseTheReaderFromSettingsWhenBuiltByKafkaWithTheNoArgConstructor() {
        // given
        stub.on("GET", "/schemas/ids/3", 200, schemaReply(TestSchemas.TRACK_V1));
        final byte[] v1 = frame(3, TestSchemas.trackV1("t-1", "Intro", 1L));
        final AvroDeserializer<Object> byName = new AvroDeserializer<>();
        final AvroDeserializer<Object> byType = new AvroDeserializer<>();
        final AvroDeserializer<Object> generic = new AvroDeserializer<>();

        // when
        byName.configure(Map.of("schema.registry.url", stub.url(), "specific.avro.reader", "true"), false);
        byType.configure(Map.of("schema.registry.url", stub.url(), "specific.avro.value.type", Track.class.getName()), false);
        generic.configure(Map.of("schema.registry.url", stub.url()), false);

        // then
        assertThat(byName.deserialize(TOPIC, v1)).isEqualTo(new Track("t-1", "Intro", 1L, "unknown"));
        assertThat(byType.deserialize(TOPIC, v1)).isEqualTo(new Track("t-1", "Intro", 1L, "unknown"));
        assertThat(generic.deserialize(TOPIC, v1))
                .isInstanceOfSatisfying(GenericRecord.class, r -> assertThat(r.getSchema()).isEqualTo(TestSchemas.TRACK_V1));
    }

    @Test
    void shouldShareOneClientWhenUsedAsAStreamsDefaultSerde() {
        // given
        stub.on("POST", "/subjects/albums-value/versions", 200, "{\"id\":11}");
        final AvroSerde<GenericRecord> serde = new AvroSerde<>();
        serde.configure(Map.of("schema.registry.url", stub.url()), false);

        // when
        final byte[] bytes = serde.serializer().serialize("albums", TestSchemas.album("Blue", 1971));
        final GenericRecord back = serde.deserializer().deserialize("albums", bytes);

        // then: the deserializer found id 11 in the cache the serializer filled
        assertThat(back).isEqualTo(TestSchemas.album("Blue", 1971));
        assertThat(stub.requests()).hasSize(1);
    }

    @Test
    void shouldNameTheRegistryWhenTheIdIsUnknownThere() {
        // given
        stub.on("GET", "/schemas/ids/42", 404, error(40403, "Schema 42 not found"));
        final AvroSerde<Track> serde = AvroSerdes.specific(Track.class, Map.of("schema.registry.url", stub.url()), false);

        // when / then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 42, 2}))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessage("Schema id 42 not found in registry " + stub.url() + " (record of topic 'tracks')");
    }

    @Test
    void shouldBlameTheRegistryNotTheRecordWhenTheRegistryIsDown() {
        // given
        final String down = StubRegistry.closedPortUrl();
        final Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", down.replace("http://", "http://alice:s3cret@"));
        final AvroSerde<Track> serde = AvroSerdes.specific(Track.class, config, false);

        // when / then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 42, 2}))
                .isInstanceOfSatisfying(
                        RegistryFailureException.class,
                        e -> {
                            assertThat(e.isRecordFault()).isFalse();
                            assertThat(e.getCause()).isInstanceOf(RegistryUnavailableException.class);
                            assertThat(e.getMessage())
                                    .contains("schema id 42", "topic 'tracks'", down)
                                    .doesNotContain("alice", "s3cret");
                        });
        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, new Track("t-1", "Intro", 1L, "pop")))
                .isInstanceOf(RegistryFailureException.class)
                .hasMessageContaining("subject 'tracks-value'")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void shouldRefuseToBuildWhenNoRegistryUrlIsGiven() {
        assertThatThrownBy(() -> AvroSerdes.generic(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    private static byte[] frame(int id, GenericRecord record) {
        final byte[] bytes = new AvroSerializer<GenericRecord>(new InMemorySchemaRegistryClient()).serialize("any", record);
        ByteBuffer.wrap(bytes).putInt(1, id);
        return bytes;
    }
}
