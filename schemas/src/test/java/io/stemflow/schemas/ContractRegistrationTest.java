package io.stemflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ContractRegistrationTest {

    static List<String> topics() {
        return TopicNames.ALL;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    void shouldBeTheAvscSchemaWhenTheContractNamesATopicsValueSchema(final String topic) {
        // given the .avsc files as Avro's parser reads them, no code generator in between
        final Map<String, Schema> avsc = AvscFiles.parse(AvscFiles.DIRECTORY);

        // when
        final Schema contract = Contract.valueSchemasByTopic().get(topic);

        // then it is that schema, property for property, and carries nothing only Java reads
        assertThat(contract).isEqualTo(avsc.get(contract.getFullName()));
        assertThat(contract.toString()).doesNotContain("avro.java").doesNotContain("java-class");
    }

    @Test
    void shouldRegisterEachSubjectOnceWhenTheContractIsRegisteredTwice() {
        // given
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient(CompatibilityLevel.FULL_TRANSITIVE);

        // when
        final List<ContractRegistration.Outcome> first = ContractRegistration.register(registry);
        final List<ContractRegistration.Outcome> second = ContractRegistration.register(registry);

        // then every subject of the catalogue was added once, then found with the same id
        assertThat(first).extracting(ContractRegistration.Outcome::subject)
                .containsExactlyElementsOf(TopicNames.ALL.stream().map(Contract::valueSubject).toList());
        assertThat(first).allMatch(ContractRegistration.Outcome::added);
        assertThat(second).noneMatch(ContractRegistration.Outcome::added);
        assertThat(second).extracting(ContractRegistration.Outcome::id)
                .containsExactlyElementsOf(first.stream().map(ContractRegistration.Outcome::id).toList());
        for (final ContractRegistration.Outcome outcome : first) {
            assertThat(registry.getLatest(outcome.subject()).version()).isEqualTo(1);
        }
    }

    @Test
    void shouldNameTheSubjectAndTheProblemWhenASubjectHoldsAnIncompatibleSchema() {
        // given someone registered another shape of StemReady under separation-stems-value
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient(CompatibilityLevel.FULL_TRANSITIVE);
        final String subject = Contract.valueSubject(TopicNames.STEMS);
        final Schema foreign = SchemaBuilder.record("StemReady").namespace("io.stemflow.avro").fields()
                .requiredInt("requestId").requiredLong("shard").endRecord();
        registry.register(subject, foreign);

        // when / then the refusal names the subject and what is incompatible
        assertThatThrownBy(() -> ContractRegistration.register(registry))
                .isInstanceOfSatisfying(IncompatibleContractException.class,
                        e -> assertThat(e.refused()).containsOnlyKeys(subject))
                .hasMessageContaining(subject)
                .hasMessageContaining("TYPE_MISMATCH").hasMessageContaining("shard");
        // and every other subject holds the contract all the same
        assertThat(registry.getLatest(Contract.valueSubject(TopicNames.REQUESTS)).schema())
                .isEqualTo(Contract.valueSchemasByTopic().get(TopicNames.REQUESTS));
        assertThat(registry.getLatest(subject).schema()).isEqualTo(foreign);
    }
}
