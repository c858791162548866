package io.stemflow.pipeline.topology;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The topology's boundaries: it is a pure function of its config and serdes, so it imports no
 * HTTP, no gateway, no query API, and opens no connection of its own (no Kafka clients, no
 * KafkaStreams instance: the app package runs it).
 */
@AnalyzeClasses(packages = "io.stemflow.pipeline.topology", importOptions = ImportOption.DoNotIncludeTests.class)
class TopologyArchitectureTest {

    @ArchTest
    static final ArchRule TOPOLOGY_KNOWS_NOTHING_OF_ITS_NEIGHBOURS = noClasses()
            .that().resideInAPackage("io.stemflow.pipeline.topology..")
            .should().dependOnClassesThat().resideInAnyPackage("io.stemflow.pipeline.submit..",
                    "io.stemflow.pipeline.provider..", "io.stemflow.pipeline.query..", "io.stemflow.pipeline.app..");

    @ArchTest
    static final ArchRule TOPOLOGY_SPEAKS_NO_HTTP = noClasses()
            .that().resideInAPackage("io.stemflow.pipeline.topology..")
            .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "java.net.http..", "org.eclipse.jetty..");

    @ArchTest
    static final ArchRule TOPOLOGY_OPENS_NO_CONNECTION = noClasses()
            .that().resideInAPackage("io.stemflow.pipeline.topology..")
            .should().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.streams.KafkaStreams")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.clients.producer.KafkaProducer")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.clients.consumer.KafkaConsumer")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.apache.kafka.clients.admin.Admin");
}
