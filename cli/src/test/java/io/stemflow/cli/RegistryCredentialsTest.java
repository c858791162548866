package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.localstack.StackInfo;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.registry.auth.PasswordHash;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.RegistryUsers;
import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The CLI's registry credentials: from the environment, or a running local stack's files; used by its clients. */
class RegistryCredentialsTest {

    private static final String ADMIN_PASSWORD = "admin-secret";

    @TempDir
    Path dir;

    private EmbeddedSchemaRegistry registry;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        Connection connection;
    }

    @BeforeEach
    void startRegistry() {
        final String hash = PasswordHash.create(ADMIN_PASSWORD, PasswordHash.MIN_ITERATIONS).encoded();
        registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory().withAccess(RegistryAccess.basic(
                RegistryUsers.parse("test", List.of("ops:admin:" + hash)), true)));
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private Connection parse(final Map<String, String> env, final String... args) {
        final Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.connection.withEnvironment(env);
    }

    @Test
    void shouldConfigureTheRegistryWhenTheEnvironmentGivesAnAdmin() throws Exception {
        // given
        final Path password = Files.writeString(dir.resolve("password"), ADMIN_PASSWORD + "\n");
        final Connection connection = parse(Map.of("STEMFLOW_SCHEMA_REGISTRY_USER", "ops",
                "STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE", password.toString()),
                "--registry-url", registry.url().toString(), "--stack-file", dir.resolve("none.json").toString());

        // when
        final CompatibilityLevel level = new RestSchemaRegistryClient(connection.registry().clientConfig())
                .setCompatibility("separation-results-value", CompatibilityLevel.FULL_TRANSITIVE);

        // then
        assertThat(level).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(connection.registry().toString()).doesNotContain(ADMIN_PASSWORD);
    }

    @Test
    void shouldBeRefusedAndChangeNothingWhenNoCredentialsAreGiven() throws Exception {
        // given
        final Connection connection = parse(Map.of(), "--registry-url", registry.url().toString(),
                "--stack-file", dir.resolve("none.json").toString());
        final RestSchemaRegistryClient anonymous = new RestSchemaRegistryClient(connection.registry().clientConfig());

        // when / then
        assertThatThrownBy(() -> anonymous.setCompatibility("separation-results-value", CompatibilityLevel.NONE))
                .hasMessageContaining("401");
        final java.net.http.HttpResponse<String> level = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(registry.url().resolve("/config/separation-results-value"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(level.body()).as("no subject level was set").contains("40408");
    }

    @Test
    void shouldTakeTheLocalStacksRegistryUserWhenTheUrlComesFromItsFile() throws Exception {
        // given
        final Path password = Files.writeString(dir.resolve("registry-admin-password"), ADMIN_PASSWORD + "\n");
        final Path stackFile = dir.resolve("stack.json");
        new StackInfo("127.0.0.1:9", registry.url().toString(), dir.toString(), 1, Instant.EPOCH, Map.of(),
                Map.of(Connection.STACK_REGISTRY_USER, "ops", Connection.STACK_REGISTRY_PASSWORD_FILE,
                        password.toString())).writeTo(stackFile);

        // when
        final Connection connection = parse(Map.of(), "--stack-file", stackFile.toString());

        // then
        assertThat(connection.registry().auth()).isEqualTo(RegistryAuth.basic("ops", ADMIN_PASSWORD));
        assertThat(Files.readString(stackFile)).doesNotContain(ADMIN_PASSWORD);
    }

    @Test
    void shouldNameTheMissingPasswordWhenOnlyTheUserIsSet() {
        // given
        final Connection connection = parse(Map.of("STEMFLOW_SCHEMA_REGISTRY_USER", "ops"),
                "--registry-url", registry.url().toString());

        // when / then
        assertThatThrownBy(connection::registry).isInstanceOf(CliException.class)
                .hasMessageContaining("STEMFLOW_SCHEMA_REGISTRY_USER is set without STEMFLOW_SCHEMA_REGISTRY_PASSWORD");
    }
}
