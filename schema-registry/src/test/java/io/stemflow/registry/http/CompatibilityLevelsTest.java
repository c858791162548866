package io.stemflow.registry.http;

import static io.stemflow.registry.support.RegistryClient.schemaBody;
import static io.stemflow.registry.support.Schemas.intField;
import static io.stemflow.registry.support.Schemas.record;
import static io.stemflow.registry.support.Schemas.stringField;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.support.RegistryClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every compatibility level, over HTTP. History: v1 {a}, then v2 {a default "", b} (registered with NONE).
 * Each candidate is compatible with v2 and v1 in a different mix of directions, so each level accepts a
 * different set of candidates; transitive levels must also look at v1.
 */
class CompatibilityLevelsTest {

    private static final String V1 = record(stringField("a"));
    private static final String V2 = record(stringField("a", ""), stringField("b"));

    /** name -> candidate; comments: (reads v2, reads v1, v2 reads it, v1 reads it). */
    private static final Map<String, String> CANDIDATES = new LinkedHashMap<>();

    static {
        CANDIDATES.put("X", record(stringField("b")));                                    // yes no  yes no
        CANDIDATES.put("W", record(stringField("a", ""), stringField("b"), intField("e"))); // no  no  yes yes
        CANDIDATES.put("Z", record(stringField("a", ""), stringField("b"), intField("d", 0))); // yes no yes yes
        CANDIDATES.put("U", record(stringField("b", ""), intField("f", 0)));            // yes yes yes no
        CANDIDATES.put("Y", record(stringField("a"), intField("d")));                   // no  no  no  no
        CANDIDATES.put("T", record(stringField("a"), intField("h", 0)));                // yes yes no  no
    }

    private static EmbeddedSchemaRegistry registry;
    private static RegistryClient client;

    @BeforeAll
    static void startRegistry() {
        registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory());
        client = new RegistryClient(registry.url());
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    static Stream<Arguments> levels() {
        return Stream.of(
                Arguments.of(CompatibilityLevel.NONE, Set.of("X", "W", "Z", "U", "Y", "T")),
                Arguments.of(CompatibilityLevel.BACKWARD, Set.of("X", "Z", "U", "T")),
                Arguments.of(CompatibilityLevel.BACKWARD_TRANSITIVE, Set.of("U", "T")),
                Arguments.of(CompatibilityLevel.FORWARD, Set.of("X", "W", "Z", "U")),
                Arguments.of(CompatibilityLevel.FORWARD_TRANSITIVE, Set.of("W", "Z")),
                Arguments.of(CompatibilityLevel.FULL, Set.of("X", "Z", "U")),
                Arguments.of(CompatibilityLevel.FULL_TRANSITIVE, Set.of()));
    }

    @ParameterizedTest(name = "{0} accepts {1}")
    @MethodSource("levels")
    void shouldAcceptExactlyTheCandidatesTheLevelAllowsWhenSubjectHasTwoVersions(final CompatibilityLevel level,
                                                                                 final Set<String> expected) {
        // given
        final String subject = "levels-" + level.name().toLowerCase() + "-value";
        client.put("/config/" + subject, "{\"compatibility\":\"NONE\"}");
        client.registerOk(subject, V1);
        client.registerOk(subject, V2);
        client.put("/config/" + subject, "{\"compatibility\":\"" + level.name() + "\"}");

        // when
        final Set<String> compatible = new TreeSet<>();
        CANDIDATES.forEach((name, schema) -> {
            if (client.post("/compatibility/subjects/" + subject + "/versions", schemaBody(schema))
                    .json().get("is_compatible").asBoolean()) {
                compatible.add(name);
            }
        });

        // then
        assertThat(compatible).containsExactlyInAnyOrderElementsOf(expected);
        CANDIDATES.forEach((name, schema) -> {
            if (!expected.contains(name)) {
                final RegistryClient.Response rejected = client.register(subject, schema);
                assertThat(rejected.status()).as("registering %s under %s", name, level).isEqualTo(409);
                assertThat(rejected.message()).contains("\"" + subject + "\"");
            }
        });
        assertThat(client.get("/subjects/" + subject + "/versions").body()).isEqualTo("[1,2]");
        expected.stream().findFirst().ifPresent(name -> {
            assertThat(client.register(subject, CANDIDATES.get(name)).status()).isEqualTo(200);
            assertThat(client.get("/subjects/" + subject + "/versions").body()).isEqualTo("[1,2,3]");
        });
    }
}
