package io.stemflow.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.store.RegistryEvent.CompatibilityCleared;
import io.stemflow.registry.store.RegistryEvent.CompatibilitySet;
import io.stemflow.registry.store.RegistryEvent.IdWatermark;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionRemoved;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionWritten;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private final EventCodec codec = new EventCodec();

    @Test
    void shouldDecodeWhatItEncodedWhenRoundTripped() {
        // given
        final List<RegistryEvent> events = List.of(
                new SchemaVersionWritten("orders-value", 3, 7, "\"string\"", true),
                new SchemaVersionRemoved("orders-value", 3),
                CompatibilitySet.global(CompatibilityLevel.FULL_TRANSITIVE),
                new CompatibilitySet("orders-value", CompatibilityLevel.NONE),
                new CompatibilityCleared("orders-value"),
                new IdWatermark(42));

        // when / then
        for (final RegistryEvent event : events) {
            final EventCodec.Encoded encoded = codec.encode(event);
            assertThat(codec.decode(encoded.key(), encoded.value())).contains(event);
        }
    }

    @Test
    void shouldUseSameKeyBytesWhenEventsConcernSameVersionOrConfig() {
        // when
        final EventCodec.Encoded live = codec.encode(new SchemaVersionWritten("s", 1, 1, "\"int\"", false));
        final EventCodec.Encoded soft = codec.encode(new SchemaVersionWritten("s", 1, 1, "\"int\"", true));
        final EventCodec.Encoded removed = codec.encode(new SchemaVersionRemoved("s", 1));
        final EventCodec.Encoded otherVersion = codec.encode(new SchemaVersionRemoved("s", 2));
        final EventCodec.Encoded set = codec.encode(new CompatibilitySet("s", CompatibilityLevel.FULL));
        final EventCodec.Encoded cleared = codec.encode(new CompatibilityCleared("s"));

        // then
        assertThat(live.key()).isEqualTo(soft.key()).isEqualTo(removed.key()).isNotEqualTo(otherVersion.key());
        assertThat(removed.value()).isNull();
        assertThat(set.key()).isEqualTo(cleared.key());
        assertThat(cleared.value()).isNull();
        assertThat(new String(set.key(), StandardCharsets.UTF_8))
                .isEqualTo("{\"magic\":1,\"keytype\":\"CONFIG\",\"subject\":\"s\"}");
    }

    @Test
    void shouldSkipRecordWhenKeyTypeUnknown() {
        // when / then
        assertThat(codec.decode(bytes("{\"magic\":0,\"keytype\":\"NOOP\"}"), null)).isEmpty();
    }

    @Test
    void shouldRejectRecordWhenNotJson() {
        assertThatThrownBy(() -> codec.decode(bytes("not json"), bytes("{}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode(bytes("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1}"),
                bytes("{\"schema\":\"x\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
