package io.stemflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {

    /** An internal value as the topology keeps them: a record with nested records, a list, a map and nulls. */
    record Part(String name, long size) {
    }

    record Value(String id, int attempt, Long deadline, List<Part> parts, Map<String, Integer> counts, boolean done) {
    }

    private static final Value VALUE = new Value("job-1", 2, null, List.of(new Part("vocals", 10), new Part("drums", 20)),
            Map.of("COMPLETED", 3), true);

    @Test
    void shouldWriteTheBytesJacksonWroteBeforeWhenGivenARecord() throws Exception {
        // given the plain mapper the changelogs were written with before
        final ObjectMapper plain = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

        // when
        final byte[] written = JsonSerde.of(Value.class).serializer().serialize("t", VALUE);

        // then the same bytes, and they read back to the same value
        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo(new String(plain.writeValueAsBytes(VALUE), StandardCharsets.UTF_8));
        assertThat(JsonSerde.of(Value.class).deserializer().deserialize("t", written)).isEqualTo(VALUE);
    }

    @Test
    void shouldIgnoreUnknownPropertiesWhenANewerVersionAddedAField() {
        // given a value written by a newer version, with a field this one does not know
        final byte[] newer = ("{\"id\":\"job-1\",\"attempt\":2,\"deadline\":null,\"parts\":[],\"counts\":{},"
                + "\"done\":false,\"addedLater\":{\"x\":1}}").getBytes(StandardCharsets.UTF_8);

        // when / then
        assertThat(JsonSerde.of(Value.class).deserializer().deserialize("t", newer))
                .isEqualTo(new Value("job-1", 2, null, List.of(), Map.of(), false));
    }

    @Test
    void shouldNameTheTypeAndTopicWhenTheBytesAreNotItsJson() {
        assertThatThrownBy(() -> JsonSerde.of(Value.class).deserializer().deserialize("job-states",
                "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("Cannot read Value from topic job-states");
    }
}
