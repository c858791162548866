package io.stemflow.serde.registry;

import io.stemflow.compat.CompatibilityLevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.fixtures.TestSchemas;
import io.stemflow.serde.fixtures.Track;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryClientTest {

    private static final Schema V1 = TestSchemas.TRACK_V1;
    private static final Schema V2 = Track.SCHEMA$;
    /** Version 1 plus a field without default: cannot read data written with version 1. */
    private static final Schema V2_WITHOUT_DEFAULT =
            TestSchemas.parse(
                    "{\"type\":\"record\",\"name\":\"Track\",\"namespace\":\"io.stemflow.serde.fixtures\",\"fields\":["
                            + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"title\",\"type\":\"string\"},"
                            + "{\"name\":\"durationMs\",\"type\":\"long\"},{\"name\":\"bpm\",\"type\":\"int\"}]}");

    @Test
    void shouldGiveOneIdPerDistinctSchemaAcrossSubjectsWhenRegistering() {
        // given
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

        // when
        final int first = registry.register("a-value", V1);
        final int again = registry.register("a-value", TestSchemas.parse(V1.toString()));
        final int otherSubject = registry.register("b-value", V1);
        final int album = registry.register("a-key", TestSchemas.ALBUM);

        // then
        assertThat(again).isEqualTo(first);
        assertThat(otherSubject).isEqualTo(first);
        assertThat(album).isNotEqualTo(first);
        assertThat(registry.versionIds("a-value")).containsExactly(first);
        assertThat(registry.subjects()).containsExactly("a-key", "a-value", "b-value");
        assertThat(registry.getById(first)).isEqualTo(V1);
        assertThat(registry.getId("b-value", V1)).isEqualTo(first);
    }

    @Test
    void shouldAddVersionsAndAnswerTheLatestWhenASchemaEvolvesCompatibly() {
        // given
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        final int v1 = registry.register("tracks-value", V1);

        // when
        final boolean compatible = registry.isCompatible("tracks-value", V2);
        final int v2 = registry.register("tracks-value", V2);

        // then
        assertThat(compatible).isTrue();
        assertThat(registry.getLatest("tracks-value")).isEqualTo(new RegisteredSchema("tracks-value", v2, 2, V2));
        assertThat(registry.versionIds("tracks-value")).containsExactly(v1, v2);
    }

    @Test
    void shouldRejectAnIncompatibleSchemaNamingTheSubjectWhenBackward() {
        // given
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        registry.register("tracks-value", V1);

        // when / then
        assertThat(registry.isCompatible("tracks-value", V2_WITHOUT_DEFAULT)).isFalse();
        assertThatThrownBy(() -> registry.register("tracks-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(
                        IncompatibleSchemaException.class,
                        e -> {
                            assertThat(e.subject()).isEqualTo("tracks-value");
                            assertThat(e.httpStatus()).isEqualTo(409);
                        })
                .hasMessageContaining("subject \"tracks-value\"")
                .hasMessageContaining("bpm");
        assertThat(registry.versionIds("tracks-value")).hasSize(1);
    }

    @Test
    void shouldAcceptAnythingWhenTheLevelIsNone() {
        // given
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient(CompatibilityLevel.NONE);
        registry.register("tracks-value", V1);

        // when
        final int id = registry.register("tracks-value", TestSchemas.ALBUM);

        // then
        assertThat(registry.getLatest("tracks-value").id()).isEqualTo(id);
    }

    @Test
    void shouldCheckEveryVersionWhenTheLevelIsTransitive() {
        // given: v1 -> v2 drops nothing, v3 removes the default v1 data needs
        final Schema v3 =
                TestSchemas.parse(
                        "{\"type\":\"record\",\"name\":\"Track\",\"namespace\":\"io.stemflow.serde.fixtures\",\"fields\":["
                                + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"title\",\"type\":\"string\"},"
                                + "{\"name\":\"durationMs\",\"type\":\"long\"},{\"name\":\"genre\",\"type\":\"string\"}]}");
        final InMemorySchemaRegistryClient plain = new InMemorySchemaRegistryClient(CompatibilityLevel.BACKWARD);
        final InMemorySchemaRegistryClient transitive =
                new InMemorySchemaRegistryClient(CompatibilityLevel.BACKWARD_TRANSITIVE);
        for (final InMemorySchemaRegistryClient registry : new InMemorySchemaRegistryClient[] {plain, transitive}) {
            registry.register("tracks-value", V1);
            registry.register("tracks-value", V2);
        }

        // when
        plain.register("tracks-value", v3);

        // then
        assertThat(plain.versionIds("tracks-value")).hasSize(3);
        assertThatThrownBy(() -> transitive.register("tracks-value", v3)).isInstanceOf(IncompatibleSchemaException.class);
    }

    @Test
    void shouldNameTheMissingThingWhenLookingUpUnknownIdsSubjectsOrSchemas() {
        // given
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        registry.register("tracks-value", V1);

        // when / then
        assertThatThrownBy(() -> registry.getById(42))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessage("Schema id 42 not found in registry in-memory");
        assertThatThrownBy(() -> registry.getLatest("albums-value"))
                .isInstanceOf(SubjectNotFoundException.class)
                .hasMessage("Subject 'albums-value' not found in registry in-memory");
        assertThatThrownBy(() -> registry.getId("tracks-value", TestSchemas.ALBUM))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("subject 'tracks-value'");
        assertThat(registry.isCompatible("albums-value", TestSchemas.ALBUM)).isTrue();
    }
}
