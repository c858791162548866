package io.stemflow.registry.http;

import static io.stemflow.registry.support.RegistryClient.schemaBody;
import static io.stemflow.registry.support.Schemas.intField;
import static io.stemflow.registry.support.Schemas.namedRecord;
import static io.stemflow.registry.support.Schemas.record;
import static io.stemflow.registry.support.Schemas.stringField;
import static io.stemflow.registry.support.Users.ADMIN;
import static io.stemflow.registry.support.Users.PASSWORD;
import static io.stemflow.registry.support.Users.READER;
import static io.stemflow.registry.support.Users.WRITER;
import static io.stemflow.registry.support.Users.basicHeader;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.http.RawHttp;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.registry.support.RegistryClient;
import io.stemflow.registry.support.RegistryClient.Response;
import io.stemflow.registry.support.Users;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The probes of issue 15 against a registry with users: each attack fails (401/403) and changes nothing (the
 * registry's whole state, subjects, versions, ids and levels, read before and after, is equal); with credentials
 * of the right role the same requests succeed.
 */
class RegistryAccessTest {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String RESULTS_V1 = namedRecord("SeparationResult", stringField("jobId"));
    private static final String STEMS_V1 = namedRecord("SeparationStems", stringField("jobId"));
    private static final String UNRELATED = namedRecord("Unrelated", intField("x"));

    private EmbeddedSchemaRegistry registry;

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void shouldRefuseEveryProbeWithoutCredentialsAndChangeNothing() {
        // given
        final RegistryClient anonymous = start(true, false);
        final String before = state();

        // when
        final List<Response> probes = List.of(
                anonymous.put("/config", "{\"compatibility\":\"NONE\"}"),
                anonymous.put("/config/separation-results-value", "{\"compatibility\":\"NONE\"}"),
                anonymous.register("separation-results-value", UNRELATED),
                anonymous.delete("/subjects/separation-stems-value"),
                anonymous.delete("/subjects/separation-stems-value?permanent=true"),
                anonymous.delete("/subjects/separation-stems-value/versions/1"),
                anonymous.delete("/config/separation-results-value"),
                anonymous.put("/mode", "{\"mode\":\"IMPORT\"}"),
                anonymous.post("/no/such/route", "{}"));

        // then
        assertThat(probes).allSatisfy(response -> {
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.errorCode()).isEqualTo(401);
            assertThat(response.message()).startsWith("Unauthorized: this operation needs the credentials");
            assertThat(response.contentType()).startsWith(CONTENT_TYPE);
        });
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldChallengeWithBasicRealmWhenCredentialsMissingOrWrong() {
        // given
        final RegistryClient anonymous = start(true, false);
        final RegistryClient wrongPassword = as(WRITER, PASSWORD + "!");
        final RegistryClient unknownUser = as("mallory", PASSWORD);
        final RegistryClient bearer = new RegistryClient(registry.url(), CONTENT_TYPE, "Bearer " + PASSWORD);
        final RegistryClient garbage = new RegistryClient(registry.url(), CONTENT_TYPE, "Basic not-base64!");
        final String before = state();

        // when
        final List<Response> responses = List.of(
                anonymous.register("separation-results-value", UNRELATED),
                wrongPassword.register("separation-results-value", UNRELATED),
                unknownUser.register("separation-results-value", UNRELATED),
                bearer.register("separation-results-value", UNRELATED),
                garbage.register("separation-results-value", UNRELATED));

        // then
        assertThat(responses).allSatisfy(response -> {
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).startsWith("Basic realm=\"stemflow-registry\"");
            assertThat(response.body()).doesNotContain(PASSWORD).doesNotContain("mallory");
        });
        assertThat(responses.get(1).message()).isEqualTo("Unauthorized: unknown user or wrong password");
        assertThat(responses.get(2).message()).isEqualTo(responses.get(1).message());
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldAnswer403AndChangeNothingWhenRoleTooLow() {
        // given
        final RegistryClient anonymous = start(true, false);
        final RegistryClient reader = as(READER, PASSWORD);
        final RegistryClient writer = as(WRITER, PASSWORD);
        final String before = state();

        // when
        final List<Response> responses = List.of(
                reader.register("separation-results-value", UNRELATED),
                writer.put("/config", "{\"compatibility\":\"NONE\"}"),
                writer.put("/config/separation-results-value", "{\"compatibility\":\"NONE\"}"),
                writer.delete("/subjects/separation-stems-value"),
                writer.delete("/subjects/separation-stems-value/versions/1"),
                writer.delete("/config/separation-results-value"));

        // then
        assertThat(responses).allSatisfy(response -> {
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.errorCode()).isEqualTo(40301);
            assertThat(response.message()).startsWith("Forbidden: this operation needs role");
        });
        assertThat(responses.get(0).message()).contains("needs role writer, the user has role reader");
        assertThat(responses.get(1).message()).contains("needs role admin, the user has role writer");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldServeEachStateChangeWhenRoleSuffices() {
        // given
        final RegistryClient anonymous = start(true, false);
        final RegistryClient writer = as(WRITER, PASSWORD);
        final RegistryClient admin = as(ADMIN, PASSWORD);

        // when
        final Response registered = writer.register("separation-results-value",
                namedRecord("SeparationResult", stringField("jobId"), intField("stems", 4)));
        final Response configured = admin.put("/config/separation-results-value", "{\"compatibility\":\"FULL\"}");
        final Response global = admin.put("/config", "{\"compatibility\":\"FORWARD\"}");
        final Response deleted = admin.delete("/subjects/separation-stems-value");

        // then
        assertThat(registered.status()).isEqualTo(200);
        assertThat(configured.status()).isEqualTo(200);
        assertThat(global.status()).isEqualTo(200);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(anonymous.get("/subjects/separation-results-value/versions").body()).isEqualTo("[1,2]");
        assertThat(anonymous.get("/config/separation-results-value").body()).contains("FULL");
        assertThat(anonymous.get("/config").body()).contains("FORWARD");
        assertThat(anonymous.get("/subjects").body()).isEqualTo("[\"separation-results-value\"]");
    }

    @Test
    void shouldRefusePermanentDeleteNamingTheSettingWhenHardDeleteDisabled() {
        // given the stems subject soft-deleted by an admin, its schema id still readable
        final RegistryClient anonymous = start(true, false);
        final RegistryClient admin = as(ADMIN, PASSWORD);
        final int stemsId = anonymous.get("/subjects/separation-stems-value/versions/1").json().get("id").asInt();
        assertThat(admin.delete("/subjects/separation-stems-value").status()).isEqualTo(200);
        final String before = state();

        // when
        final Response subject = admin.delete("/subjects/separation-stems-value?permanent=true");
        final Response version = admin.delete("/subjects/separation-stems-value/versions/1?permanent=TRUE");

        // then
        assertThat(List.of(subject, version)).allSatisfy(response -> {
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.errorCode()).isEqualTo(40302);
            assertThat(response.message()).contains("STEMFLOW_REGISTRY_HARD_DELETE=true");
        });
        assertThat(state()).isEqualTo(before);
        assertThat(anonymous.get("/schemas/ids/" + stemsId).status()).isEqualTo(200);
    }

    @Test
    void shouldServePermanentDeleteToAnAdminOnlyWhenHardDeleteEnabled() {
        // given
        final RegistryClient anonymous = start(true, true);
        final RegistryClient writer = as(WRITER, PASSWORD);
        final RegistryClient admin = as(ADMIN, PASSWORD);
        assertThat(admin.delete("/subjects/separation-stems-value").status()).isEqualTo(200);

        // when
        final Response byWriter = writer.delete("/subjects/separation-stems-value?permanent=true");
        final Response byAdmin = admin.delete("/subjects/separation-stems-value?permanent=true");

        // then
        assertThat(byWriter.status()).isEqualTo(403);
        assertThat(byAdmin.status()).isEqualTo(200);
        assertThat(anonymous.get("/subjects?deleted=true").body()).isEqualTo("[\"separation-results-value\"]");
    }

    @Test
    void shouldServeReadsWithoutCredentialsWhenReadsOpen() {
        // given
        final RegistryClient anonymous = start(true, false);

        // when / then
        assertThat(anonymous.get("/subjects").status()).isEqualTo(200);
        assertThat(anonymous.get("/schemas/ids/1").status()).isEqualTo(200);
        assertThat(anonymous.post("/subjects/separation-results-value", schemaBody(RESULTS_V1)).status())
                .isEqualTo(200);
        assertThat(anonymous.post("/compatibility/subjects/separation-results-value/versions/latest",
                schemaBody(RESULTS_V1)).status()).isEqualTo(200);
    }

    @Test
    void shouldNeedAReaderForEveryReadButHealthWhenReadsClosed() {
        // given
        final RegistryClient anonymous = start(false, false);
        final RegistryClient reader = as(READER, PASSWORD);

        // when
        final List<Response> refused = List.of(anonymous.get("/subjects"), anonymous.get("/schemas/ids/1"),
                anonymous.get("/config"), anonymous.post("/subjects/separation-results-value", schemaBody(RESULTS_V1)),
                anonymous.post("/compatibility/subjects/separation-results-value/versions", schemaBody(RESULTS_V1)));

        // then
        assertThat(refused).allSatisfy(response -> assertThat(response.status()).isEqualTo(401));
        assertThat(anonymous.get("/").status()).isEqualTo(200);
        assertThat(reader.get("/subjects").status()).isEqualTo(200);
        assertThat(reader.get("/schemas/ids/1").status()).isEqualTo(200);
        assertThat(reader.post("/subjects/separation-results-value", schemaBody(RESULTS_V1)).status()).isEqualTo(200);
    }

    @Test
    void shouldGuardPathsThatOnlyLookLikeReadsWhenSpelledOddly() {
        // given
        final RegistryClient anonymous = start(true, false);
        final String before = state();

        // when
        final List<Response> responses = List.of(
                anonymous.post("/subjects/separation-results-value/versions/", schemaBody(UNRELATED)),
                anonymous.post("/subjects/separation-results-value//versions", schemaBody(UNRELATED)),
                anonymous.post("/subjects/separation-results-value;x/versions", schemaBody(UNRELATED)),
                anonymous.post("/compatibility/subjects/x/versions/%2e%2e/%2e%2e/%2e%2e/subjects/separation-results-value/versions",
                        schemaBody(UNRELATED)));

        // then
        assertThat(responses).allSatisfy(response -> assertThat(response.status()).isNotEqualTo(200));
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldAnswer415AndChangeNothingWhenAStateChangeIsNotJson() {
        // given: what a web page can send cross-site without asking first (text/plain, a form)
        final RegistryClient anonymous = start(true, false);
        final RegistryClient writerAsText = new RegistryClient(registry.url(), "text/plain",
                basicHeader(WRITER, PASSWORD));
        final RegistryClient adminAsForm = new RegistryClient(registry.url(), "application/x-www-form-urlencoded",
                basicHeader(ADMIN, PASSWORD));
        final RegistryClient anonymousAsText = new RegistryClient(registry.url(), "text/plain", null);
        final String before = state();

        // when
        final List<Response> responses = List.of(
                writerAsText.register("separation-results-value", UNRELATED),
                adminAsForm.put("/config", "{\"compatibility\":\"NONE\"}"),
                anonymousAsText.register("separation-results-value", UNRELATED));

        // then
        assertThat(responses).allSatisfy(response -> {
            assertThat(response.status()).isEqualTo(415);
            assertThat(response.errorCode()).isEqualTo(415);
            assertThat(response.message()).contains("application/vnd.schemaregistry.v1+json");
            assertThat(response.contentType()).startsWith(CONTENT_TYPE);
        });
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldAnswer421AndChangeNothingWhenHostIsForeign() throws Exception {
        // given: a page on a rebound DNS name reaches the registry with its own name as Host
        final RegistryClient anonymous = start(true, false);
        final String before = state();

        // when
        final RawHttp register = RawHttp.exchange(registry.port(), RawHttp.withBody(RawHttp.request("POST",
                "/subjects/separation-results-value/versions", "attacker.example:" + registry.port(),
                "Content-Type: application/json", "Authorization: " + basicHeader(WRITER, PASSWORD)),
                schemaBody(UNRELATED)));
        final RawHttp read = RawHttp.exchange(registry.port(), RawHttp.request("GET", "/subjects",
                "attacker.example"));
        final RawHttp byLoopbackName = RawHttp.exchange(registry.port(), RawHttp.request("GET", "/subjects",
                "localhost:" + registry.port()));

        // then
        assertThat(register.status()).isEqualTo(421);
        assertThat(register.body()).contains("\"error_code\":421").contains("STEMFLOW_HTTP_ALLOWED_HOSTS");
        assertThat(read.status()).isEqualTo(421);
        assertThat(byLoopbackName.status()).isEqualTo(200);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldAnswerAHostNamedInAllowedHostsWhenConfigured() throws Exception {
        // given
        registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory().withAccess(Users.basic(true))
                .withAllowedHosts(List.of("schema-registry")));

        // when
        final RawHttp read = RawHttp.exchange(registry.port(), RawHttp.request("GET", "/subjects",
                "schema-registry:8081"));

        // then
        assertThat(read.status()).isEqualTo(200);
    }

    /** Starts a registry holding separation-results-value and separation-stems-value; an anonymous client. */
    private RegistryClient start(final boolean openReads, final boolean hardDelete) {
        registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory()
                .withAccess(Users.basic(openReads)).withHardDelete(hardDelete));
        final RegistryClient writer = as(WRITER, PASSWORD);
        writer.registerOk("separation-results-value", RESULTS_V1);
        writer.registerOk("separation-stems-value", STEMS_V1);
        return new RegistryClient(registry.url());
    }

    private RegistryClient as(final String user, final String password) {
        return new RegistryClient(registry.url(), CONTENT_TYPE, basicHeader(user, password));
    }

    /** Everything the registry holds, deleted versions included, as one comparable text. */
    private String state() {
        final RegistryClient reader = as(READER, PASSWORD);
        final List<String> parts = new ArrayList<>();
        final Function<String, String> get = path -> path + " -> " + reader.get(path).status() + " "
                + reader.get(path).body();
        parts.add(get.apply("/config"));
        parts.add(get.apply("/subjects?deleted=true"));
        for (final var subject : reader.get("/subjects?deleted=true").json()) {
            final String name = subject.asText();
            parts.add(get.apply("/config/" + name));
            parts.add(get.apply("/subjects/" + name + "/versions?deleted=true"));
            for (final var version : reader.get("/subjects/" + name + "/versions?deleted=true").json()) {
                parts.add(get.apply("/subjects/" + name + "/versions/" + version.asInt() + "?deleted=true"));
            }
        }
        return String.join("\n", parts);
    }
}
