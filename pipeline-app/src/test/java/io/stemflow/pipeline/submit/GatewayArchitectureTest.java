package io.stemflow.pipeline.submit;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.stemflow.pipeline.topology.DeadLetters;

/** The gateway's boundaries: no topology or query code, HTTP only at the edges, the client knows no gateway. */
@AnalyzeClasses(packages = {"io.stemflow.pipeline.submit", "io.stemflow.pipeline.provider"},
        importOptions = ImportOption.DoNotIncludeTests.class)
class GatewayArchitectureTest {

    /**
     * One exception: {@code topology.DeadLetters}, the one place the dead-letter headers are built, so the
     * gateway's dead letters carry exactly the headers of the topology's (a plain static helper, no Streams).
     */
    @ArchTest
    static final ArchRule GATEWAY_IS_NOT_THE_TOPOLOGY = noClasses()
            .that().resideInAnyPackage("io.stemflow.pipeline.submit..", "io.stemflow.pipeline.provider..")
            .should().dependOnClassesThat(resideInAnyPackage("io.stemflow.pipeline.topology..",
                    "io.stemflow.pipeline.query..", "org.apache.kafka.streams..")
                    .and(not(type(DeadLetters.class))));

    @ArchTest
    static final ArchRule ONLY_THE_HTTP_SERVER_SPEAKS_HTTP = noClasses()
            .that().resideInAPackage("io.stemflow.pipeline.submit..")
            .and().doNotHaveSimpleName("GatewayHttpServer")
            .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "java.net.http..");

    @ArchTest
    static final ArchRule CLIENT_KNOWS_NO_GATEWAY = noClasses()
            .that().resideInAPackage("io.stemflow.pipeline.provider..")
            .should().dependOnClassesThat().resideInAnyPackage("io.stemflow.pipeline.submit..",
                    "org.apache.kafka..", "io.github.resilience4j..");
}
