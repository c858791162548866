package io.stemflow.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.bridge.BridgeMain;
import io.stemflow.gateway.GatewayMain;
import io.stemflow.pipeline.app.PipelineMain;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.schemas.Contract;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry in which a stemflow subject already holds a schema that stemflow's is not compatible with (another
 * team, or a botched migration, registered its own {@code SeparationResult}): each service's real {@code main},
 * started as a child JVM against it, refuses to start, exits 1, and says which subject and what is incompatible;
 * the subject keeps its one version.
 */
@Tag("broker")
@WithKafkaStack
class IncompatibleContractStartTest {

    private static final String SUBJECT = Contract.valueSubject(TopicNames.RESULTS);
    private static final String HMAC_KEY = "callback-hmac-key-0123456789";

    @TempDir
    Path dir;

    private EmbeddedSchemaRegistry registry;
    private RestSchemaRegistryClient client;
    private Map<String, String> common;

    @BeforeEach
    void startARegistryWhoseResultsSubjectHoldsAForeignSchema(final TestStack stack) {
        // a registry of its own (its own _schemas topic on the shared broker): the shared one must keep the contract
        registry = EmbeddedSchemaRegistry.start(RegistryConfig.kafka(stack.bootstrapServers())
                .withTopic(stack.uniqueTopic("_schemas-foreign")).withHost("127.0.0.1").withPort(0));
        client = new RestSchemaRegistryClient(RegistryClientConfig.of(registry.url().toString()));
        final Schema foreign = SchemaBuilder.record("SeparationResult").namespace("io.stemflow.avro").fields()
                .requiredLong("requestId").requiredString("verdict").endRecord();
        client.register(SUBJECT, foreign);
        common = Map.of("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
                "STEMFLOW_SCHEMA_REGISTRY_URL", registry.url().toString(),
                "STEMFLOW_HTTP_AUTH", "off");
    }

    @AfterEach
    void stopTheRegistry() {
        registry.close();
    }

    @Test
    void shouldRefuseToStartAndNameTheSubjectWhenTheBridgeMeetsAnIncompatibleSchema() throws Exception {
        // when
        final ServiceProcess.Exit exit = ServiceProcess.run(BridgeMain.class, env(Map.of(
                "STEMFLOW_CALLBACK_HMAC_KEY", HMAC_KEY, "STEMFLOW_BRIDGE_PORT", "0")), dir);

        // then
        shouldBeARefusalNamingTheSubject(exit, "callback bridge");
    }

    @Test
    void shouldRefuseToStartAndNameTheSubjectWhenTheGatewayMeetsAnIncompatibleSchema() throws Exception {
        // when
        final ServiceProcess.Exit exit = ServiceProcess.run(GatewayMain.class, env(Map.of(
                "STEMFLOW_PROVIDER_BASE_URL", "http://127.0.0.1:9",
                "STEMFLOW_PROVIDER_API_KEY", "sk-test-key-0123456789",
                "STEMFLOW_CALLBACK_HMAC_KEY", HMAC_KEY,
                "STEMFLOW_BRIDGE_PUBLIC_URL", "http://127.0.0.1:9",
                "STEMFLOW_GATEWAY_HTTP_PORT", "0")), dir);

        // then
        shouldBeARefusalNamingTheSubject(exit, "provider gateway");
    }

    @Test
    void shouldRefuseToStartAndNameTheSubjectWhenThePipelineMeetsAnIncompatibleSchema() throws Exception {
        // when
        final ServiceProcess.Exit exit = ServiceProcess.run(PipelineMain.class, env(Map.of(
                "STEMFLOW_STREAMS_STATE_DIR", dir.resolve("streams").toString(),
                "STEMFLOW_QUERY_PORT", Integer.toString(freePort()))), dir);

        // then
        shouldBeARefusalNamingTheSubject(exit, "pipeline");
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Map<String, String> env(final Map<String, String> own) {
        final Map<String, String> env = new HashMap<>(common);
        env.putAll(own);
        return env;
    }

    private void shouldBeARefusalNamingTheSubject(final ServiceProcess.Exit exit, final String service) {
        assertThat(exit.status()).as("exit status\n%s", exit.both()).isEqualTo(ServiceMain.FAILED);
        final List<String> refusal = exit.stderr().lines().filter(l -> l.startsWith(service + " not started: ")).toList();
        assertThat(refusal).as("the one line saying why\n%s", exit.both()).hasSize(1);
        assertThat(refusal.get(0)).contains(SUBJECT).contains("TYPE_MISMATCH").contains("/fields/0/type");
        // and the subject still holds its one version: nothing was registered over it
        assertThat(client.getLatest(SUBJECT).version()).isEqualTo(1);
    }
}
