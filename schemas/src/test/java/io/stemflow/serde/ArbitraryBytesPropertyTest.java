package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.stemflow.serde.fixtures.TestSchemas;
import io.stemflow.serde.fixtures.Track;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Whatever bytes arrive, the deserializers return a value or throw one of our {@link
 * AvroSerdeException}s naming the topic, within a deadline: never an NPE, an index error, an
 * out-of-memory or a hang.
 */
class ArbitraryBytesPropertyTest {

    private static final String TOPIC = "stems";
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final int stemId = registry.register("stems-value", TestSchemas.STEM);
    private final int trackId = registry.register("tracks-value", Track.SCHEMA$);
    private final Deserializer<GenericRecord> generic = AvroDeserializer.generic(registry);
    private final Deserializer<Track> specific = AvroDeserializer.specific(Track.class, registry);
    private final byte[] validStem = AvroSerdes.generic(registry, Map.of(), false).serializer().serialize(TOPIC, stem());

    @Property(tries = 400)
    void shouldReturnAValueOrOurExceptionWhenGivenArbitraryBytes(@ForAll @Size(max = 64) byte[] bytes) {
        assertOnlyValueOrOurException(bytes);
    }

    @Property(tries = 600)
    void shouldReturnAValueOrOurExceptionWhenAValidHeaderPrecedesAnArbitraryBody(
            @ForAll("knownIds") int schemaId, @ForAll @Size(max = 200) byte[] body) {
        final byte[] record = ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
        assertOnlyValueOrOurException(record);
    }

    @Property(tries = 600)
    void shouldReturnAValueOrOurExceptionWhenAValidRecordIsDamaged(
            @ForAll @IntRange(min = 5, max = 10_000) int position,
            @ForAll byte replacement,
            @ForAll @IntRange(min = 0, max = 8) int cut) {
        final byte[] damaged = validStem.clone();
        damaged[position % damaged.length] = replacement;
        assertOnlyValueOrOurException(Arrays.copyOf(damaged, Math.max(5, damaged.length - cut)));
    }

    @Provide
    Arbitrary<Integer> knownIds() {
        return Arbitraries.of(List.of(stemId, trackId, stemId + trackId + 1));
    }

    private void assertOnlyValueOrOurException(byte[] bytes) {
        for (final Deserializer<?> deserializer : List.of(generic, specific)) {
            assertTimeoutPreemptively(
                    DEADLINE,
                    () -> {
                        try {
                            final Object value = deserializer.deserialize(TOPIC, bytes);
                            assertThat(value).isNotNull();
                        } catch (AvroSerdeException e) {
                            assertThat(e.getMessage()).contains("'" + TOPIC + "'");
                        }
                    });
        }
    }

    private static GenericRecord stem() {
        final GenericRecord stem = new GenericData.Record(TestSchemas.STEM);
        stem.put("name", "vocals.wav");
        stem.put("audio", ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        stem.put("kind", new GenericData.EnumSymbol(TestSchemas.STEM.getField("kind").schema(), "VOCALS"));
        stem.put("checksum", new GenericData.Fixed(TestSchemas.STEM.getField("checksum").schema(), new byte[16]));
        stem.put("peaks", List.of(0.5, -0.25));
        stem.put("tags", Map.of("bpm", "120"));
        stem.put("url", "https://cdn.example/vocals.wav");
        stem.put("sizeBytes", 123_456L);
        stem.put("ok", true);
        stem.put("gain", 0.8f);
        return stem;
    }
}
