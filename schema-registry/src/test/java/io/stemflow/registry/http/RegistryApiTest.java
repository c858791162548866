package io.stemflow.registry.http;

import static io.stemflow.registry.support.RegistryClient.schemaBody;
import static io.stemflow.registry.support.Schemas.intField;
import static io.stemflow.registry.support.Schemas.namedRecord;
import static io.stemflow.registry.support.Schemas.record;
import static io.stemflow.registry.support.Schemas.stringField;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.registry.support.RegistryClient;
import io.stemflow.registry.support.RegistryClient.Response;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST API over real HTTP against an in-memory registry. */
class RegistryApiTest {

    private static final String V1 = record(stringField("a"));
    private static final String V2 = record(stringField("a"), intField("b", 0));
    private static final String INCOMPATIBLE = record(stringField("a"), intField("c"));

    private EmbeddedSchemaRegistry registry;
    private RegistryClient client;

    @BeforeEach
    void startRegistry() {
        registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory().withHardDelete(true));
        client = new RegistryClient(registry.url());
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    @Test
    void shouldAnswerHealthAndTypesWhenAsked() {
        // when
        final Response health = client.get("/");
        final Response types = client.get("/schemas/types");

        // then
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{}");
        assertThat(health.contentType()).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(types.body()).isEqualTo("[\"AVRO\"]");
        assertThat(registry.url().toString()).isEqualTo("http://127.0.0.1:" + registry.port());
    }

    @Test
    void shouldAcceptPlainJsonAndIgnoreCredentialsWhenAuthenticationOff() {
        // given
        final RegistryClient basic = new RegistryClient(registry.url(), "application/json", "Basic dXNlcjpwYXNz");
        final RegistryClient bearer = new RegistryClient(registry.url(), "application/vnd.schemaregistry+json",
                "Bearer token-123");

        // when
        final int id = basic.registerOk("orders-value", V1);

        // then
        assertThat(bearer.get("/schemas/ids/" + id).status()).isEqualTo(200);
    }

    @Test
    void shouldReturnIdWhenSchemaRegistered() {
        // when
        final Response response = client.register("orders-value", V1);

        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("id").asInt()).isEqualTo(1);
        assertThat(client.get("/subjects/orders-value/versions").body()).isEqualTo("[1]");
    }

    @Test
    void shouldReturnSameIdWithoutNewVersionWhenSameSchemaRegisteredTwice() {
        // given
        final int first = client.registerOk("orders-value", V1);
        final String sameSchemaReformatted = "{ \"namespace\" : \"io.stemflow.test\", \"name\": \"R\", "
                + "\"fields\": [ {\"type\": \"string\", \"name\": \"a\"} ], \"type\": \"record\" }";

        // when
        final int second = client.registerOk("orders-value", sameSchemaReformatted);

        // then
        assertThat(second).isEqualTo(first);
        assertThat(client.get("/subjects/orders-value/versions").body()).isEqualTo("[1]");
    }

    @Test
    void shouldShareOneIdWhenSameSchemaRegisteredUnderTwoSubjects() {
        // given
        final int other = client.registerOk("other-value", namedRecord("Other", stringField("x")));

        // when
        final int inA = client.registerOk("a-value", V1);
        final int inB = client.registerOk("b-value", V1);

        // then
        assertThat(inA).isEqualTo(inB).isNotEqualTo(other);
        assertThat(client.get("/schemas/ids/" + inA + "/versions").json().toString())
                .isEqualTo("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]");
    }

    @Test
    void shouldCreateNewVersionWhenCompatibleChangeRegistered() {
        // given
        final int id1 = client.registerOk("orders-value", V1);

        // when
        final int id2 = client.registerOk("orders-value", V2);

        // then
        assertThat(id2).isNotEqualTo(id1);
        assertThat(client.get("/subjects/orders-value/versions").body()).isEqualTo("[1,2]");
        final Response latest = client.get("/subjects/orders-value/versions/latest");
        assertThat(latest.json().get("subject").asText()).isEqualTo("orders-value");
        assertThat(latest.json().get("version").asInt()).isEqualTo(2);
        assertThat(latest.json().get("id").asInt()).isEqualTo(id2);
        assertThat(new Schema.Parser().parse(latest.json().get("schema").asText()))
                .isEqualTo(new Schema.Parser().parse(V2));
    }

    @Test
    void shouldAnswer409NamingSubjectWhenIncompatibleSchemaRegistered() {
        // given
        client.registerOk("orders-value", V1);

        // when
        final Response response = client.register("orders-value", INCOMPATIBLE);

        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.errorCode()).isEqualTo(409);
        assertThat(response.message())
                .startsWith("Schema being registered is incompatible with an earlier schema for subject \"orders-value\"")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(client.get("/subjects/orders-value/versions").body()).isEqualTo("[1]");
    }

    @Test
    void shouldServeVersionsByNumberLatestAndMinusOne() {
        // given
        final int id1 = client.registerOk("orders-value", V1);
        client.registerOk("orders-value", V2);

        // when
        final Response first = client.get("/subjects/orders-value/versions/1");
        final Response minusOne = client.get("/subjects/orders-value/versions/-1");
        final Response raw = client.get("/subjects/orders-value/versions/1/schema");

        // then
        assertThat(first.json().get("id").asInt()).isEqualTo(id1);
        assertThat(first.json().get("version").asInt()).isEqualTo(1);
        assertThat(minusOne.json().get("version").asInt()).isEqualTo(2);
        assertThat(new Schema.Parser().parse(raw.body())).isEqualTo(new Schema.Parser().parse(V1));
    }

    @Test
    void shouldFindVersionWhenLookingUpRegisteredSchema() {
        // given
        client.registerOk("orders-value", V1);
        final int id2 = client.registerOk("orders-value", V2);

        // when
        final Response found = client.post("/subjects/orders-value", schemaBody(V2));

        // then
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.json().get("subject").asText()).isEqualTo("orders-value");
        assertThat(found.json().get("version").asInt()).isEqualTo(2);
        assertThat(found.json().get("id").asInt()).isEqualTo(id2);
        assertThat(found.json().get("schema").asText()).isNotBlank();
    }

    @Test
    void shouldAnswer40401And40403WhenLookupMisses() {
        // given
        client.registerOk("orders-value", V1);

        // when
        final Response unknownSubject = client.post("/subjects/nobody-value", schemaBody(V1));
        final Response unknownSchema = client.post("/subjects/orders-value", schemaBody(V2));

        // then
        assertThat(unknownSubject.status()).isEqualTo(404);
        assertThat(unknownSubject.errorCode()).isEqualTo(40401);
        assertThat(unknownSubject.message()).contains("nobody-value");
        assertThat(unknownSchema.status()).isEqualTo(404);
        assertThat(unknownSchema.errorCode()).isEqualTo(40403);
    }

    @Test
    void shouldServeSchemaByIdAndAnswer40403WhenIdUnknown() {
        // given
        final int id = client.registerOk("orders-value", V1);

        // when
        final Response known = client.get("/schemas/ids/" + id);
        final Response unknown = client.get("/schemas/ids/999");
        final Response notANumber = client.get("/schemas/ids/abc");

        // then
        assertThat(new Schema.Parser().parse(known.json().get("schema").asText()))
                .isEqualTo(new Schema.Parser().parse(V1));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo(40403);
        assertThat(unknown.message()).contains("999");
        assertThat(notANumber.errorCode()).isEqualTo(40403);
    }

    @Test
    void shouldAnswer40401And40402WhenSubjectOrVersionUnknown() {
        // given
        client.registerOk("orders-value", V1);

        // when
        final Response noSubject = client.get("/subjects/nobody-value/versions/1");
        final Response noVersions = client.get("/subjects/nobody-value/versions");
        final Response noVersion = client.get("/subjects/orders-value/versions/7");

        // then
        assertThat(noSubject.status()).isEqualTo(404);
        assertThat(noSubject.errorCode()).isEqualTo(40401);
        assertThat(noVersions.errorCode()).isEqualTo(40401);
        assertThat(noVersion.status()).isEqualTo(404);
        assertThat(noVersion.errorCode()).isEqualTo(40402);
        assertThat(noVersion.message()).contains("orders-value").contains("7");
    }

    @Test
    void shouldAnswer42202WhenVersionIsNotAVersion() {
        // given
        client.registerOk("orders-value", V1);

        // when
        final Response word = client.get("/subjects/orders-value/versions/first");
        final Response zero = client.get("/subjects/orders-value/versions/0");

        // then
        assertThat(word.status()).isEqualTo(422);
        assertThat(word.errorCode()).isEqualTo(42202);
        assertThat(zero.errorCode()).isEqualTo(42202);
    }

    @Test
    void shouldSoftDeleteThenPermanentlyDeleteSubject() {
        // given
        client.registerOk("orders-value", V1);
        client.registerOk("orders-value", V2);
        client.registerOk("keep-value", V1);

        // when
        final Response permanentFirst = client.delete("/subjects/orders-value?permanent=true");
        final Response soft = client.delete("/subjects/orders-value");
        final Response softAgain = client.delete("/subjects/orders-value");

        // then
        assertThat(permanentFirst.errorCode()).isEqualTo(40405);
        assertThat(soft.status()).isEqualTo(200);
        assertThat(soft.body()).isEqualTo("[1,2]");
        assertThat(softAgain.errorCode()).isEqualTo(40404);
        assertThat(client.get("/subjects").body()).isEqualTo("[\"keep-value\"]");
        assertThat(client.get("/subjects?deleted=true").body()).isEqualTo("[\"keep-value\",\"orders-value\"]");
        assertThat(client.get("/subjects/orders-value/versions").errorCode()).isEqualTo(40401);
        assertThat(client.get("/subjects/orders-value/versions?deleted=true").body()).isEqualTo("[1,2]");
        assertThat(client.get("/subjects/orders-value/versions/1?deleted=true").status()).isEqualTo(200);

        // when
        final Response permanent = client.delete("/subjects/orders-value?permanent=true");

        // then
        assertThat(permanent.body()).isEqualTo("[1,2]");
        assertThat(client.get("/subjects?deleted=true").body()).isEqualTo("[\"keep-value\"]");
        assertThat(client.delete("/subjects/orders-value").errorCode()).isEqualTo(40401);
    }

    @Test
    void shouldSoftDeleteThenPermanentlyDeleteVersion() {
        // given
        client.registerOk("orders-value", V1);
        final int id2 = client.registerOk("orders-value", V2);

        // when
        final Response permanentFirst = client.delete("/subjects/orders-value/versions/2?permanent=true");
        final Response soft = client.delete("/subjects/orders-value/versions/2");
        final Response softAgain = client.delete("/subjects/orders-value/versions/2");

        // then
        assertThat(permanentFirst.errorCode()).isEqualTo(40407);
        assertThat(soft.body()).isEqualTo("2");
        assertThat(softAgain.errorCode()).isEqualTo(40406);
        assertThat(client.get("/subjects/orders-value/versions").body()).isEqualTo("[1]");
        assertThat(client.get("/subjects/orders-value/versions/latest").json().get("version").asInt()).isEqualTo(1);
        assertThat(client.get("/schemas/ids/" + id2).status()).isEqualTo(200);

        // when
        final Response permanent = client.delete("/subjects/orders-value/versions/2?permanent=true");

        // then
        assertThat(permanent.body()).isEqualTo("2");
        assertThat(client.get("/subjects/orders-value/versions?deleted=true").body()).isEqualTo("[1]");
        assertThat(client.get("/schemas/ids/" + id2).errorCode()).isEqualTo(40403);
        assertThat(client.delete("/subjects/orders-value/versions/9").errorCode()).isEqualTo(40402);
    }

    @Test
    void shouldNeverReuseIdWhenSchemasArePermanentlyDeleted() {
        // given
        final int id1 = client.registerOk("temp-value", V1);
        final int id2 = client.registerOk("temp-value", V2);
        client.delete("/subjects/temp-value");
        client.delete("/subjects/temp-value?permanent=true");

        // when
        final int fresh = client.registerOk("orders-value", namedRecord("Fresh", stringField("z")));

        // then
        assertThat(fresh).isGreaterThan(Math.max(id1, id2));
        assertThat(client.get("/subjects/temp-value/versions?deleted=true").errorCode()).isEqualTo(40401);
    }

    @Test
    void shouldGetAndSetGlobalAndSubjectCompatibility() {
        // given
        assertThat(client.get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");

        // when
        final Response global = client.put("/config", "{\"compatibility\":\"FULL\"}");
        final Response unset = client.get("/config/orders-value");
        final Response defaulted = client.get("/config/orders-value?defaultToGlobal=true");
        final Response subject = client.put("/config/orders-value", "{\"compatibility\":\"none\"}");

        // then
        assertThat(global.body()).isEqualTo("{\"compatibility\":\"FULL\"}");
        assertThat(client.get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
        assertThat(unset.status()).isEqualTo(404);
        assertThat(unset.errorCode()).isEqualTo(40408);
        assertThat(defaulted.body()).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
        assertThat(subject.body()).isEqualTo("{\"compatibility\":\"NONE\"}");
        assertThat(client.get("/config/orders-value").body()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");

        // when
        final Response cleared = client.delete("/config/orders-value");

        // then
        assertThat(cleared.body()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
        assertThat(client.get("/config/orders-value").errorCode()).isEqualTo(40408);
        assertThat(client.delete("/config/orders-value").errorCode()).isEqualTo(40408);
    }

    @Test
    void shouldApplySubjectLevelOverGlobalWhenRegistering() {
        // given
        client.registerOk("orders-value", V1);
        client.put("/config/orders-value", "{\"compatibility\":\"NONE\"}");

        // when
        final Response accepted = client.register("orders-value", INCOMPATIBLE);

        // then
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(client.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    }

    @Test
    void shouldAnswer42203WhenCompatibilityLevelInvalid() {
        // when
        final Response unknown = client.put("/config", "{\"compatibility\":\"SIDEWAYS\"}");
        final Response missing = client.put("/config/orders-value", "{}");

        // then
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.errorCode()).isEqualTo(42203);
        assertThat(missing.errorCode()).isEqualTo(42203);
        assertThat(client.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    }

    @Test
    void shouldAnswer42201WhenSchemaInvalid() {
        // when
        final Response notAvro = client.register("orders-value", "{\"type\":\"record\",\"name\":\"R\"}");
        final Response noSchema = client.post("/subjects/orders-value/versions", "{\"schemaType\":\"AVRO\"}");
        final Response protobuf = client.post("/subjects/orders-value/versions",
                "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");
        final Response badDefault = client.register("orders-value", record("{\"name\":\"n\",\"type\":\"int\",\"default\":\"x\"}"));

        // then
        assertThat(notAvro.status()).isEqualTo(422);
        assertThat(notAvro.errorCode()).isEqualTo(42201);
        assertThat(noSchema.errorCode()).isEqualTo(42201);
        assertThat(protobuf.errorCode()).isEqualTo(42201);
        assertThat(badDefault.errorCode()).isEqualTo(42201);
        assertThat(client.get("/subjects").body()).isEqualTo("[]");
    }

    @Test
    void shouldAnswerJsonErrorAndKeepServingWhenBodyMalformed() {
        // when
        final Response malformed = client.post("/subjects/orders-value/versions", "{\"schema\": ");
        final Response notAnObject = client.post("/subjects/orders-value/versions", "[1,2]");
        final Response empty = client.put("/config", "");

        // then
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorCode()).isEqualTo(400);
        assertThat(malformed.message()).startsWith("Malformed JSON");
        assertThat(notAnObject.status()).isEqualTo(422);
        assertThat(notAnObject.errorCode()).isEqualTo(422);
        assertThat(empty.status()).isIn(400, 422);
        assertThat(empty.json().has("error_code")).isTrue();
        assertThat(client.register("orders-value", V1).status()).isEqualTo(200);
    }

    @Test
    void shouldAnswer404JsonWhenPathUnknown() {
        // when
        final Response unknown = client.get("/no/such/path");
        final Response wrongMethod = client.put("/subjects", "{}");

        // then
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo(404);
        assertThat(unknown.message()).contains("/no/such/path");
        assertThat(unknown.contentType()).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(wrongMethod.status()).isIn(404, 405);
        assertThat(wrongMethod.errorCode()).isEqualTo(wrongMethod.status());
    }

    @Test
    void shouldAnswerCompatibilityChecksAgainstLevelAndVersion() {
        // given
        client.registerOk("orders-value", V1);

        // when
        final Response compatible = client.post("/compatibility/subjects/orders-value/versions/latest", schemaBody(V2));
        final Response incompatible = client.post("/compatibility/subjects/orders-value/versions?verbose=true",
                schemaBody(INCOMPATIBLE));
        final Response newSubject = client.post("/compatibility/subjects/new-value/versions", schemaBody(V1));
        final Response noVersion = client.post("/compatibility/subjects/orders-value/versions/5", schemaBody(V2));
        final Response noSubject = client.post("/compatibility/subjects/new-value/versions/1", schemaBody(V2));

        // then
        assertThat(compatible.body()).isEqualTo("{\"is_compatible\":true}");
        assertThat(incompatible.json().get("is_compatible").asBoolean()).isFalse();
        assertThat(incompatible.json().get("messages")).isNotEmpty();
        assertThat(newSubject.body()).isEqualTo("{\"is_compatible\":true}");
        assertThat(noVersion.errorCode()).isEqualTo(40402);
        assertThat(noSubject.errorCode()).isEqualTo(40401);
    }
}
