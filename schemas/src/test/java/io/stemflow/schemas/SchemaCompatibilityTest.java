package io.stemflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.SeparationRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards the wire contract: every topic's value schema must stay FULL_TRANSITIVE compatible with
 * every version committed under {@code src/test/resources/schema-history/<topic>/}.
 *
 * <p>To change a schema: edit its {@code .avsc}, run this test with {@code -Dstemflow.recordSchemas=true}
 * to append the new version to the history (it refuses an incompatible one), and commit both.
 */
class SchemaCompatibilityTest {

    private static final boolean RECORD = Boolean.getBoolean("stemflow.recordSchemas");

    static List<String> topics() {
        return new ArrayList<>(Contract.valueSchemasByTopic().keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    void shouldStayCompatibleWithEveryCommittedVersionWhenASchemaChanges(final String topic) {
        // given
        final Schema current = Contract.valueSchemasByTopic().get(topic);
        final SchemaHistory history = SchemaHistory.inThisModule();

        // when
        final List<String> problems = new ArrayList<>();
        for (final SchemaHistory.Version version : history.versions(topic)) {
            SchemaHistory.fullCompatibilityProblems(current, version.schema())
                    .forEach(p -> problems.add(version.file().getFileName() + ": " + p));
        }

        // then
        assertThat(problems)
                .as("schema of %s is not FULL compatible with its committed history", topic)
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    void shouldHaveTheCurrentSchemaCommittedAsTheLatestVersionWhenTheContractIsBuilt(final String topic) {
        // given
        final Schema current = Contract.valueSchemasByTopic().get(topic);
        final SchemaHistory history = SchemaHistory.inThisModule();
        List<SchemaHistory.Version> versions = history.versions(topic);
        if (RECORD && (versions.isEmpty() || !versions.get(versions.size() - 1).schema().equals(current))) {
            history.record(topic, current);
            versions = history.versions(topic);
        }

        // then
        assertThat(versions)
                .as("no committed history for %s: run with -Dstemflow.recordSchemas=true and commit it", topic)
                .isNotEmpty();
        assertThat(versions.get(versions.size() - 1).schema())
                .as("the value schema of %s changed: record it with -Dstemflow.recordSchemas=true and commit it", topic)
                .isEqualTo(current);
    }

    @Test
    void shouldReportTheFieldWhenARequiredFieldIsAdded(@TempDir final Path dir) {
        // given a committed SeparationRequest and a change that adds a field without a default
        final SchemaHistory history = new SchemaHistory(dir);
        history.record(TopicNames.REQUESTS, SeparationRequest.getClassSchema());
        final Schema changed = withExtraField(SeparationRequest.getClassSchema(), "region", false);

        // when
        final List<String> problems = SchemaHistory.fullCompatibilityProblems(
                changed, history.versions(TopicNames.REQUESTS).get(0).schema());

        // then new readers cannot read old records that lack the field
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("backward").contains("region"));
    }

    @Test
    void shouldAcceptAnOptionalFieldWithADefaultWhenItIsAdded() {
        // given
        final Schema older = SeparationRequest.getClassSchema();
        final Schema newer = withExtraField(older, "region", true);

        // when
        final List<String> problems = SchemaHistory.fullCompatibilityProblems(newer, older);

        // then
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldReportTheEnumWhenASymbolIsRemoved() {
        // given an enum without its default symbol losing a symbol old data may carry
        final Schema older = SchemaBuilder.enumeration("Mode").namespace("x").symbols("A", "B");
        final Schema newer = SchemaBuilder.enumeration("Mode").namespace("x").symbols("A");

        // when
        final List<String> problems = SchemaHistory.fullCompatibilityProblems(newer, older);

        // then
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("backward").contains("MISSING_ENUM_SYMBOLS"));
    }

    @Test
    void shouldGiveEveryTopicAValueSchemaWhenTheCatalogueIsBuilt() {
        // then
        final Map<String, Schema> schemas = Contract.valueSchemasByTopic();
        assertThat(schemas.keySet()).containsExactlyElementsOf(TopicNames.ALL);
        assertThat(schemas.values()).allSatisfy(s -> assertThat(s.getType()).isEqualTo(Schema.Type.RECORD));
    }

    private static Schema withExtraField(final Schema base, final String name, final boolean withDefault) {
        final List<Schema.Field> fields = new ArrayList<>();
        for (final Schema.Field f : base.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(withDefault
                ? new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.INT)),
                        null, Schema.Field.NULL_DEFAULT_VALUE)
                : new Schema.Field(name, Schema.create(Schema.Type.INT), null, (Object) null));
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}
