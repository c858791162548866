package io.stemflow.serde.registry;

import io.stemflow.compat.CompatibilityLevel;

import static io.stemflow.serde.registry.StubRegistry.error;
import static io.stemflow.serde.registry.StubRegistry.schemaReply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.serde.fixtures.TestSchemas;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {

    private static final Schema TRACK = TestSchemas.TRACK_V1;
    private static final Schema ALBUM = TestSchemas.ALBUM;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<StubRegistry> stubs = new ArrayList<>();
    private final CountDownLatch releaseBlockedHandlers = new CountDownLatch(1);

    @AfterEach
    void stopStubs() {
        releaseBlockedHandlers.countDown();
        stubs.forEach(StubRegistry::close);
    }

    @Test
    void shouldSendConfluentMediaTypesAndTheSchemaWhenRegistering() throws Exception {
        // given
        final StubRegistry stub = stub().on("POST", "/subjects/tracks-value/versions", 200, "{\"id\":7}");
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final int id = client.register("tracks-value", TRACK);

        // then
        assertThat(id).isEqualTo(7);
        final StubRegistry.Recorded request = stub.requests().get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Accept")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Authorization")).isNull();
        final String sentSchema = JSON.readTree(request.body()).get("schema").asText();
        assertThat(new Schema.Parser().parse(sentSchema)).isEqualTo(TRACK);
    }

    @Test
    void shouldPutTheLevelOnTheSubjectWhenSettingCompatibility() {
        // given
        final StubRegistry stub = stub().on("PUT", "/config/tracks-value", 200, "{\"compatibility\":\"FULL_TRANSITIVE\"}");
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final CompatibilityLevel answered = client.setCompatibility("tracks-value", CompatibilityLevel.FULL_TRANSITIVE);

        // then
        assertThat(answered).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        final StubRegistry.Recorded request = stub.requests().get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.body()).isEqualTo("{\"compatibility\":\"FULL_TRANSITIVE\"}");
    }

    @Test
    void shouldNameTheSubjectAndRegistryWhenTheLevelIsRefused() {
        // given
        final StubRegistry stub = stub().on("PUT", "/config/tracks-value", 422,
                "{\"error_code\":42203,\"message\":\"Invalid compatibility level\"}");
        final RestSchemaRegistryClient client = client(stub.url());

        // when / then
        assertThatThrownBy(() -> client.setCompatibility("tracks-value", CompatibilityLevel.FULL))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(stub.url())
                .hasMessageContaining("PUT /config/tracks-value")
                .hasMessageContaining("Invalid compatibility level");
    }

    @Test
    void shouldMakeNoHttpCallWhenTheSameIdsAreAskedForAgain() {
        // given
        final StubRegistry stub =
                stub()
                        .on("POST", "/subjects/tracks-value/versions", 200, "{\"id\":7}")
                        .on("GET", "/schemas/ids/3", 200, schemaReply(ALBUM));
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final int first = client.register("tracks-value", TRACK);
        final int second = client.register("tracks-value", TestSchemas.parse(TRACK.toString()));
        final int lookedUp = client.getId("tracks-value", TRACK);
        final Schema registered = client.getById(7);
        final Schema album = client.getById(3);
        final Schema albumAgain = client.getById(3);

        // then
        assertThat(List.of(first, second, lookedUp)).containsOnly(7);
        assertThat(registered).isEqualTo(TRACK);
        assertThat(album).isEqualTo(ALBUM).isSameAs(albumAgain);
        assertThat(stub.count("POST", "/subjects/tracks-value/versions")).isEqualTo(1);
        assertThat(stub.requests()).hasSize(2);
    }

    @Test
    void shouldAnswerFromTheCacheWhenManyEqualCopiesOfARegisteredSchemaAreLookedUp() {
        // given a schema registered once, and a cache of 2 (copies beyond it churn the cache kept by identity)
        final StubRegistry stub = stub().on("POST", "/subjects/tracks-value/versions", 200, "{\"id\":7}");
        final RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(RegistryClientConfig.of(stub.url()).withCacheCapacity(2));
        client.register("tracks-value", TRACK);

        // when ten equal copies, each its own instance, are registered and looked up again and again
        final List<Schema> copies = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            copies.add(TestSchemas.parse(TRACK.toString()));
        }
        for (int round = 0; round < 3; round++) {
            for (final Schema copy : copies) {
                assertThat(client.register("tracks-value", copy)).isEqualTo(7);
                assertThat(client.getId("tracks-value", copy)).isEqualTo(7);
            }
        }

        // then the registry was asked once
        assertThat(stub.requests()).hasSize(1);
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedSchemaWhenTheCacheIsFull() {
        // given
        final StubRegistry stub =
                stub()
                        .on("GET", "/schemas/ids/1", 200, schemaReply(TRACK))
                        .on("GET", "/schemas/ids/2", 200, schemaReply(ALBUM))
                        .on("GET", "/schemas/ids/3", 200, schemaReply(TestSchemas.STEM));
        final RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(RegistryClientConfig.of(stub.url()).withCacheCapacity(2));

        // when
        client.getById(1);
        client.getById(2);
        client.getById(3);
        client.getById(3);
        client.getById(2);
        final long callsForOneBeforeRefetch = stub.count("GET", "/schemas/ids/1");
        client.getById(1);

        // then
        assertThat(stub.count("GET", "/schemas/ids/2")).isEqualTo(1);
        assertThat(stub.count("GET", "/schemas/ids/3")).isEqualTo(1);
        assertThat(callsForOneBeforeRefetch).isEqualTo(1);
        assertThat(stub.count("GET", "/schemas/ids/1")).isEqualTo(2);
    }

    @Test
    void shouldFetchTheLatestVersionAgainWhenItsTtlHasPassed() {
        // given
        final StubRegistry stub =
                stub()
                        .on(
                                "GET",
                                "/subjects/tracks-value/versions/latest",
                                200,
                                schemaReply(TRACK, "subject", "tracks-value", "id", 4, "version", 2));
        final AtomicLong nanos = new AtomicLong(1_000);
        final RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(
                        RegistryClientConfig.of(stub.url()).withLatestCacheTtl(Duration.ofSeconds(10)), nanos::get);

        // when
        final RegisteredSchema latest = client.getLatest("tracks-value");
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        client.getLatest("tracks-value");
        final long callsWithinTtl = stub.count("GET", "/subjects/tracks-value/versions/latest");
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        client.getLatest("tracks-value");

        // then
        assertThat(latest).isEqualTo(new RegisteredSchema("tracks-value", 4, 2, TRACK));
        assertThat(callsWithinTtl).isEqualTo(1);
        assertThat(stub.count("GET", "/subjects/tracks-value/versions/latest")).isEqualTo(2);
    }

    @Test
    void shouldFailOverToTheSecondUrlWhenTheFirstRefusesConnections() {
        // given
        final StubRegistry second = stub().on("GET", "/schemas/ids/1", 200, schemaReply(TRACK));
        final RestSchemaRegistryClient client = client(StubRegistry.closedPortUrl() + "," + second.url());

        // when
        final Schema schema = client.getById(1);

        // then
        assertThat(schema).isEqualTo(TRACK);
        assertThat(second.count("GET", "/schemas/ids/1")).isEqualTo(1);
    }

    @Test
    void shouldFailOverAndRememberTheAnsweringUrlWhenTheFirstAnswers5xx() {
        // given
        final StubRegistry first =
                stub()
                        .on("GET", "/schemas/ids/1", 500, error(50001, "Error in the backend data store"))
                        .on("GET", "/schemas/ids/2", 200, schemaReply(ALBUM));
        final StubRegistry second =
                stub().on("GET", "/schemas/ids/1", 200, schemaReply(TRACK)).on("GET", "/schemas/ids/2", 200, schemaReply(ALBUM));
        final RestSchemaRegistryClient client = client(first.url() + "," + second.url());

        // when
        final Schema one = client.getById(1);
        final Schema two = client.getById(2);

        // then
        assertThat(one).isEqualTo(TRACK);
        assertThat(two).isEqualTo(ALBUM);
        assertThat(first.count("GET", "/schemas/ids/1")).isEqualTo(1);
        assertThat(first.count("GET", "/schemas/ids/2")).isZero();
        assertThat(second.count("GET", "/schemas/ids/2")).isEqualTo(1);
    }

    @Test
    void shouldFailOverWhenTheFirstUrlTimesOut() {
        // given
        final StubRegistry stuck =
                stub()
                        .on(
                                "GET",
                                "/schemas/ids/1",
                                request -> {
                                    releaseBlockedHandlers.await(30, TimeUnit.SECONDS);
                                    return new StubRegistry.Reply(200, schemaReply(ALBUM));
                                });
        final StubRegistry healthy = stub().on("GET", "/schemas/ids/1", 200, schemaReply(TRACK));
        final RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(
                        RegistryClientConfig.of(stuck.url() + "," + healthy.url()).withRequestTimeout(Duration.ofMillis(300)));

        // when
        final Schema schema = client.getById(1);

        // then
        assertThat(schema).isEqualTo(TRACK);
        assertThat(stuck.count("GET", "/schemas/ids/1")).isEqualTo(1);
    }

    @Test
    void shouldNameEveryUrlTriedButNoCredentialWhenNoRegistryAnswers() {
        // given
        final String first = StubRegistry.closedPortUrl();
        final String second = StubRegistry.closedPortUrl();
        final String withCredentials =
                first.replace("http://", "http://alice:s3cr%40t@") + "," + second.replace("http://", "http://bob:hunter2@");
        final RestSchemaRegistryClient client = client(withCredentials);

        // when
        final RegistryUnavailableException thrown =
                catchThrowableOfType(RegistryUnavailableException.class, () -> client.getById(42));

        // then
        assertThat(thrown.urlsTried()).containsExactly(first, second);
        assertThat(thrown.getMessage()).contains(first, second, "GET /schemas/ids/42");
        assertThat(allMessages(thrown)).doesNotContain("alice", "s3cr", "bob", "hunter2", "Basic ");
        assertThat(client.toString()).doesNotContain("alice", "s3cr", "bob", "hunter2");
        assertThat(thrown.httpStatus()).isEqualTo(RegistryErrorCodes.NONE);
    }

    @Test
    void shouldSendBasicAuthWhenTheUrlCarriesUserInfo() {
        // given
        final StubRegistry stub = stub().on("GET", "/schemas/ids/1", 200, schemaReply(TRACK));
        final RestSchemaRegistryClient client = client(stub.url().replace("http://", "http://alice:s3cr%40t@"));

        // when
        client.getById(1);

        // then
        final String expected = Base64.getEncoder().encodeToString("alice:s3cr@t".getBytes(StandardCharsets.UTF_8));
        assertThat(stub.requests().get(0).header("Authorization")).isEqualTo("Basic " + expected);
        assertThat(client.endpoint()).isEqualTo(stub.url());
    }

    @Test
    void shouldSendBearerTokenWhenConfigured() {
        // given
        final StubRegistry stub = stub().on("GET", "/schemas/ids/1", 200, schemaReply(TRACK));
        final RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(RegistryClientConfig.of(stub.url()).withAuth(RegistryAuth.bearer("tok-123")));

        // when
        client.getById(1);

        // then
        assertThat(stub.requests().get(0).header("Authorization")).isEqualTo("Bearer tok-123");
    }

    @Test
    void shouldCarryTheStatusButNoCredentialWhenTheRegistryRejectsThem() {
        // given
        final StubRegistry stub = stub().on("GET", "/schemas/ids/1", 401, error(40101, "Unauthorized"));
        final RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(
                        RegistryClientConfig.of(stub.url()).withAuth(RegistryAuth.basic("alice", "s3cret")));

        // when
        final SchemaRegistryException thrown = catchThrowableOfType(SchemaRegistryException.class, () -> client.getById(1));

        // then
        assertThat(thrown.httpStatus()).isEqualTo(401);
        assertThat(thrown.errorCode()).isEqualTo(40101);
        assertThat(thrown.getMessage()).contains(stub.url(), "HTTP 401", "Unauthorized");
        assertThat(allMessages(thrown)).doesNotContain("alice", "s3cret", "Basic ");
    }

    @Test
    void shouldNameTheSubjectWhenTheRegistryAnswers409() {
        // given
        final String registryMessage =
                "Schema being registered is incompatible with an earlier schema for subject \"tracks-value\", details: "
                        + "[{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'genre'}]";
        final StubRegistry stub =
                stub().on("POST", "/subjects/tracks-value/versions", 409, error(409, registryMessage));
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final IncompatibleSchemaException thrown =
                catchThrowableOfType(IncompatibleSchemaException.class, () -> client.register("tracks-value", TRACK));

        // then
        assertThat(thrown.subject()).isEqualTo("tracks-value");
        assertThat(thrown.getMessage()).contains("subject 'tracks-value'", registryMessage, stub.url());
        assertThat(thrown.httpStatus()).isEqualTo(409);
        assertThat(thrown.errorCode()).isEqualTo(409);
    }

    @Test
    void shouldSayWhichIdIsMissingWhenTheRegistryAnswers40403() {
        // given
        final StubRegistry stub = stub().on("GET", "/schemas/ids/42", 404, error(40403, "Schema 42 not found"));
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final SchemaNotFoundException thrown = catchThrowableOfType(SchemaNotFoundException.class, () -> client.getById(42));

        // then
        assertThat(thrown).hasMessage("Schema id 42 not found in registry " + stub.url());
        assertThat(thrown.errorCode()).isEqualTo(40403);
    }

    @Test
    void shouldCarryStatusAndErrorCodeWhenTheRegistryRejectsTheSchema() {
        // given
        final StubRegistry stub =
                stub().on("POST", "/subjects/tracks-value/versions", 422, error(42201, "Invalid schema"));
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final SchemaRegistryException thrown =
                catchThrowableOfType(SchemaRegistryException.class, () -> client.register("tracks-value", TRACK));

        // then
        assertThat(thrown.httpStatus()).isEqualTo(422);
        assertThat(thrown.errorCode()).isEqualTo(42201);
        assertThat(thrown.getMessage())
                .isEqualTo(
                        "Schema registry " + stub.url()
                                + " answered HTTP 422 (error_code 42201) to POST /subjects/tracks-value/versions: Invalid schema");
    }

    @Test
    void shouldReportTheLastServerErrorWhenEveryUrlAnswers5xx() {
        // given
        final StubRegistry stub =
                stub().on("GET", "/subjects/tracks-value/versions/latest", 503, error(50002, "Operation timed out"));
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final RegistryUnavailableException thrown =
                catchThrowableOfType(RegistryUnavailableException.class, () -> client.getLatest("tracks-value"));

        // then
        assertThat(thrown.httpStatus()).isEqualTo(503);
        assertThat(thrown.errorCode()).isEqualTo(50002);
        assertThat(thrown.getMessage()).contains(stub.url(), "HTTP 503", "Operation timed out");
    }

    @Test
    void shouldLookUpWithoutRegisteringWhenGettingAnId() {
        // given
        final StubRegistry stub =
                stub()
                        .on(
                                "POST",
                                "/subjects/tracks-value",
                                200,
                                schemaReply(TRACK, "subject", "tracks-value", "id", 5, "version", 1))
                        .on("POST", "/subjects/albums-value", 404, error(40403, "Schema not found"));
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final int id = client.getId("tracks-value", TRACK);
        final SchemaNotFoundException notUnderSubject =
                catchThrowableOfType(SchemaNotFoundException.class, () -> client.getId("albums-value", ALBUM));
        final SubjectNotFoundException noSubject =
                catchThrowableOfType(SubjectNotFoundException.class, () -> client.getId("nothing-value", ALBUM));

        // then
        assertThat(id).isEqualTo(5);
        assertThat(notUnderSubject).hasMessageContaining("subject 'albums-value'").hasMessageContaining("io.stemflow.test.Album");
        assertThat(noSubject.subject()).isEqualTo("nothing-value");
        assertThat(noSubject).hasMessageContaining("Subject 'nothing-value' not found");
        assertThat(stub.requests()).noneMatch(request -> request.path().endsWith("/versions"));
    }

    @Test
    void shouldAnswerCompatibilityAndTreatAMissingSubjectAsCompatible() {
        // given
        final StubRegistry stub =
                stub()
                        .on("POST", "/compatibility/subjects/tracks-value/versions/latest", 200, "{\"is_compatible\":false}")
                        .on("POST", "/compatibility/subjects/albums-value/versions/latest", 200, "{\"is_compatible\":true}");
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final boolean tracks = client.isCompatible("tracks-value", TRACK);
        final boolean albums = client.isCompatible("albums-value", ALBUM);
        final boolean missing = client.isCompatible("nothing-value", ALBUM);

        // then
        assertThat(tracks).isFalse();
        assertThat(albums).isTrue();
        assertThat(missing).isTrue();
    }

    @Test
    void shouldEncodeTheSubjectAndKeepTheBasePathWhenBuildingUrls() {
        // given
        final StubRegistry stub =
                stub().on("POST", "/apis/ccompat/v7/subjects/my%20topic%2Fv-value/versions", 200, "{\"id\":9}");
        final RestSchemaRegistryClient client = client(stub.url() + "/apis/ccompat/v7/");

        // when
        final int id = client.register("my topic/v-value", TRACK);

        // then
        assertThat(id).isEqualTo(9);
    }

    @Test
    void shouldRejectAnUnreadableAnswerWithTheRegistryNamed() {
        // given
        final StubRegistry stub = stub().on("GET", "/schemas/ids/1", 200, "<html>proxy error</html>");
        final RestSchemaRegistryClient client = client(stub.url());

        // when
        final SchemaRegistryException thrown = catchThrowableOfType(SchemaRegistryException.class, () -> client.getById(1));

        // then
        assertThat(thrown).hasMessageContaining(stub.url()).hasMessageContaining("GET /schemas/ids/1");
    }

    private StubRegistry stub() {
        final StubRegistry stub = StubRegistry.start();
        stubs.add(stub);
        return stub;
    }

    private static RestSchemaRegistryClient client(String urls) {
        return new RestSchemaRegistryClient(RegistryClientConfig.of(urls).withRequestTimeout(Duration.ofSeconds(5)));
    }

    /** The messages and toString of the whole cause chain. */
    static String allMessages(Throwable thrown) {
        final StringBuilder text = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
