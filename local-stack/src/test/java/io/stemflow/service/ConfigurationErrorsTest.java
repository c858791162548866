package io.stemflow.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.bridge.BridgeMain;
import io.stemflow.emulator.EmulatorMain;
import io.stemflow.pipeline.app.PipelineMain;
import io.stemflow.gateway.GatewayMain;
import io.stemflow.registry.RegistryMain;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every service's real {@code main}, started as a child JVM with a controlled environment (nothing inherited)
 * holding one missing and one invalid variable: it starts nothing, exits with status 2 and prints one line on
 * stderr that names both variables, without a stack trace. No broker is needed: nothing gets that far.
 */
@Tag("broker")
class ConfigurationErrorsTest {

    private static final String HMAC_KEY = "callback-hmac-key-0123456789";

    @TempDir
    Path dir;

    @Test
    void shouldNameTheMissingAndTheInvalidVariableWhenTheBridgeStarts() throws Exception {
        // given: no bootstrap servers, a port that is not a number
        final Map<String, String> env = Map.of(
                "STEMFLOW_SCHEMA_REGISTRY_URL", "http://localhost:8081",
                "STEMFLOW_CALLBACK_HMAC_KEY", HMAC_KEY,
                "STEMFLOW_BRIDGE_PORT", "eighty");

        // when
        final Exit exit = run(BridgeMain.class, env);

        // then
        exit.shouldBeOneConfigurationErrorNaming("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", "STEMFLOW_BRIDGE_PORT");
    }

    @Test
    void shouldNameTheMissingAndTheInvalidVariableWhenTheGatewayStarts() throws Exception {
        // given: no bootstrap servers, an in-flight window that is not a number
        final Map<String, String> env = Map.of(
                "STEMFLOW_PROVIDER_BASE_URL", "http://localhost:8089",
                "STEMFLOW_PROVIDER_API_KEY", "sk-test-key-0123456789",
                "STEMFLOW_CALLBACK_HMAC_KEY", HMAC_KEY,
                "STEMFLOW_BRIDGE_PUBLIC_URL", "http://localhost:8090",
                "STEMFLOW_SCHEMA_REGISTRY_URL", "http://localhost:8081",
                "STEMFLOW_GATEWAY_IN_FLIGHT", "many");

        // when
        final Exit exit = run(GatewayMain.class, env);

        // then
        exit.shouldBeOneConfigurationErrorNaming("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", "STEMFLOW_GATEWAY_IN_FLIGHT");
    }

    @Test
    void shouldNameTheMissingAndTheInvalidVariableWhenThePipelineStarts() throws Exception {
        // given: no bootstrap servers (once reported as "stemflow.kafka.bootstrap is required"), a bad duration
        final Map<String, String> env = Map.of(
                "STEMFLOW_SCHEMA_REGISTRY_URL", "http://localhost:8081",
                "STEMFLOW_STREAMS_STATE_DIR", dir.resolve("streams").toString(),
                "STEMFLOW_JOBS_RESULT_TIMEOUT", "soon");

        // when
        final Exit exit = run(PipelineMain.class, env);

        // then
        exit.shouldBeOneConfigurationErrorNaming("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", "STEMFLOW_JOBS_RESULT_TIMEOUT");
        assertThat(exit.stderr()).doesNotContain("stemflow.kafka.bootstrap");
    }

    @Test
    void shouldNameBothInvalidVariablesWhenTheRegistryStarts() throws Exception {
        // given: the registry requires no variable, so two invalid ones: a port that is not a number, a bad topic
        final Map<String, String> env = Map.of(
                "STEMFLOW_REGISTRY_PORT", "http",
                "STEMFLOW_REGISTRY_TOPIC", "no spaces allowed");

        // when
        final Exit exit = run(RegistryMain.class, env);

        // then
        exit.shouldBeOneConfigurationErrorNaming("STEMFLOW_REGISTRY_PORT", "STEMFLOW_REGISTRY_TOPIC");
    }

    @Test
    void shouldNameTheMissingAndTheInvalidVariableWhenTheEmulatorStarts() throws Exception {
        // given: no API key at all, a port that is not a number
        final Map<String, String> env = Map.of("STEMFLOW_EMULATOR_PORT", "http");

        // when
        final Exit exit = run(EmulatorMain.class, env);

        // then
        exit.shouldBeOneConfigurationErrorNaming("STEMFLOW_EMULATOR_API_KEYS", "STEMFLOW_EMULATOR_PORT");
    }

    private Exit run(final Class<?> main, final Map<String, String> env) throws IOException, InterruptedException {
        final ServiceProcess.Exit exit = ServiceProcess.run(main, env, dir);
        return new Exit(exit.service(), exit.status(), exit.stdout(), exit.stderr());
    }

    private record Exit(String service, int status, String stdout, String stderr) {

        void shouldBeOneConfigurationErrorNaming(final String missing, final String invalid) {
            final String both = "stdout:\n" + stdout + "\nstderr:\n" + stderr;
            assertThat(status).as("exit status of %s\n%s", service, both).isEqualTo(ServiceMain.CONFIG_ERROR);
            final List<String> naming = stderr.lines().filter(l -> l.contains(missing) || l.contains(invalid))
                    .toList();
            assertThat(naming).as("stderr lines naming the variables\n%s", both).hasSize(1);
            assertThat(naming.get(0)).contains(missing).contains(invalid).contains("not started");
            assertThat(both).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception in thread");
        }
    }
}
