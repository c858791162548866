package io.stemflow.pipeline.topology;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The topology is a pure function of its config and serdes: it opens no connection of its own (no
 * Kafka clients, no KafkaStreams instance: pipeline-app runs it). That it reaches no HTTP, gateway or
 * query API code is not a rule here but a fact of the build: this module does not depend on them, so
 * such an import does not compile.
 */
@AnalyzeClasses(packages = "io.stemflow.pipeline.topology", importOptions = ImportOption.DoNotIncludeTests.class)
class TopologyArchitectureTest {

    /** The JDK's own HTTP client is on every classpath: the one HTTP a module boundary cannot keep out. */
    @ArchTest
    static final ArchRule TOPOLOGY_SPEAKS_NO_HTTP = noClasses()
            .that().resideInAPackage("io.stemflow.pipeline.topology..")
            .should().dependOnClassesThat().resideInAnyPackage("java.net.http..");

    @ArchTest
    static final ArchRule TOPOLOGY_OPENS_NO_CONNECTION = noClasses()
            .that().resideInAPackage("io.stemflow.pipeline.topology..")
            .should().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.streams.KafkaStreams")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.clients.producer.KafkaProducer")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.clients.consumer.KafkaConsumer")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.clients.admin.Admin");
}
