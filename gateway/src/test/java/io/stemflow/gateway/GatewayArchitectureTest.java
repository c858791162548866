package io.stemflow.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The gateway's boundaries inside its module: HTTP only at the edges, the provider client knows no gateway.
 * That it reaches no topology or query code is a fact of the build (the gateway module depends on neither).
 */
@AnalyzeClasses(packages = {"io.stemflow.gateway", "io.stemflow.gateway.provider"},
        importOptions = ImportOption.DoNotIncludeTests.class)
class GatewayArchitectureTest {

    @ArchTest
    static final ArchRule ONLY_THE_HTTP_SERVER_SPEAKS_HTTP = noClasses()
            .that().resideInAPackage("io.stemflow.gateway")
            .and().doNotHaveSimpleName("GatewayHttpServer")
            .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "java.net.http..");

    @ArchTest
    static final ArchRule CLIENT_KNOWS_NO_GATEWAY = noClasses()
            .that().resideInAPackage("io.stemflow.gateway.provider..")
            .should().dependOnClassesThat().resideInAnyPackage("io.stemflow.gateway",
                    "org.apache.kafka..", "io.github.resilience4j..");
}
