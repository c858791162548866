package io.stemflow.registry.state;

import static io.stemflow.registry.support.Schemas.intField;
import static io.stemflow.registry.support.Schemas.namedRecord;
import static io.stemflow.registry.support.Schemas.record;
import static io.stemflow.registry.support.Schemas.stringField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.registry.ErrorCode;
import io.stemflow.registry.RegistryException;
import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.store.EventCodec;
import io.stemflow.registry.store.InMemorySchemaStore;
import io.stemflow.registry.store.RegistryEvent;
import io.stemflow.registry.store.RegistryEvent.IdWatermark;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionWritten;
import io.stemflow.registry.store.SchemaStore;
import io.stemflow.registry.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The registry's semantics on its log, without HTTP. */
class RegistryServiceTest {

    private static final String A = record(stringField("a"));
    private static final String B = record(stringField("a"), intField("b", 0));

    @Test
    void shouldNotReuseIdWhenCompactionRemovedPermanentlyDeletedSchemas() {
        // given a subject registered, then permanently deleted, and the log compacted
        final InMemorySchemaStore store = new InMemorySchemaStore();
        final RegistryService before = RegistryService.load(store, CompatibilityLevel.BACKWARD);
        before.register("temp-value", A);
        final int highest = before.register("temp-value", B);
        before.deleteSubject("temp-value", false);
        before.deleteSubject("temp-value", true);
        final List<RegistryEvent> compacted = compact(store.events());
        assertThat(compacted).containsExactly(new IdWatermark(highest));

        // when
        final RegistryService after = RegistryService.load(new InMemorySchemaStore(compacted), CompatibilityLevel.BACKWARD);
        final int fresh = after.register("orders-value", namedRecord("Fresh", stringField("z")));

        // then
        assertThat(fresh).isEqualTo(highest + 1);
    }

    @Test
    void shouldRebuildSameStateWhenLogReplayed() {
        // given
        final InMemorySchemaStore store = new InMemorySchemaStore();
        final RegistryService first = RegistryService.load(store, CompatibilityLevel.BACKWARD);
        final int idA = first.register("orders-value", A);
        final int idB = first.register("orders-value", B);
        first.setSubjectLevel("orders-value", CompatibilityLevel.FULL);
        first.setGlobalLevel(CompatibilityLevel.NONE);
        first.deleteVersion("orders-value", VersionRef.parse("1"), false);

        // when
        final RegistryService second = RegistryService.load(new InMemorySchemaStore(compact(store.events())),
                CompatibilityLevel.BACKWARD);

        // then
        assertThat(second.versions("orders-value", true)).containsExactly(1, 2);
        assertThat(second.versions("orders-value", false)).containsExactly(2);
        assertThat(second.version("orders-value", VersionRef.latest(), false).id()).isEqualTo(idB);
        assertThat(second.schemaById(idA)).isEqualTo(first.schemaById(idA));
        assertThat(second.subjectLevel("orders-value", false)).isEqualTo(CompatibilityLevel.FULL);
        assertThat(second.globalLevel()).isEqualTo(CompatibilityLevel.NONE);
    }

    @Test
    void shouldFailFastWhenLogHoldsOneIdForTwoSchemas() {
        // given what two unfenced writers could leave behind
        final List<RegistryEvent> log = List.of(
                new SchemaVersionWritten("a-value", 1, 1, normalised(A), false),
                new SchemaVersionWritten("b-value", 1, 1, normalised(B), false));

        // when / then
        assertThatThrownBy(() -> RegistryService.load(new InMemorySchemaStore(log), CompatibilityLevel.BACKWARD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("b-value")
                .hasMessageContaining("another registry");
    }

    @Test
    void shouldAnswerStoreErrorThenRebuildFromLogWhenWriteOutcomeUnknown() {
        // given a store that stores the events but then reports a failure (acknowledgement lost)
        final LosingAcksStore store = new LosingAcksStore(false);
        final RegistryService registry = RegistryService.load(store, CompatibilityLevel.BACKWARD);

        // when
        assertThatThrownBy(() -> registry.register("orders-value", A))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.STORE_ERROR));
        store.losing = false;
        final int retried = registry.register("orders-value", A);

        // then the retry found what the failed write had stored: one version, id 1
        assertThat(retried).isEqualTo(1);
        assertThat(registry.versions("orders-value", false)).containsExactly(1);
    }

    @Test
    void shouldAnswerTimeoutWhenStoreTimesOut() {
        // given
        final RegistryService registry = RegistryService.load(new LosingAcksStore(true), CompatibilityLevel.BACKWARD);

        // when / then
        assertThatThrownBy(() -> registry.setGlobalLevel(CompatibilityLevel.FULL))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.errorCode().code()).isEqualTo(50002));
    }

    /** Keeps the latest event per key and drops tombstones, as log compaction eventually does. */
    private static List<RegistryEvent> compact(final List<RegistryEvent> log) {
        final EventCodec codec = new EventCodec();
        final Map<String, RegistryEvent> latest = new LinkedHashMap<>();
        for (final RegistryEvent event : log) {
            final EventCodec.Encoded encoded = codec.encode(event);
            final String key = new String(encoded.key(), StandardCharsets.UTF_8);
            latest.remove(key);
            if (encoded.value() != null) {
                latest.put(key, event);
            }
        }
        return new ArrayList<>(latest.values());
    }

    private static String normalised(final String schema) {
        return ParsedSchema.parse(schema).normalised();
    }

    /** Stores every append, then throws while {@code losing}: the outcome a lost acknowledgement leaves. */
    private static final class LosingAcksStore implements SchemaStore {
        private final InMemorySchemaStore log = new InMemorySchemaStore();
        private final boolean timeout;
        private volatile boolean losing = true;

        private LosingAcksStore(final boolean timeout) {
            this.timeout = timeout;
        }

        @Override
        public void replay(final Consumer<RegistryEvent> sink) {
            log.replay(sink);
        }

        @Override
        public void append(final List<RegistryEvent> events) {
            log.append(events);
            if (losing) {
                throw new StoreException("acknowledgement lost", timeout, null);
            }
        }

        @Override
        public String describe() {
            return "losing-acks store";
        }

        @Override
        public void close() {
            log.close();
        }
    }
}
