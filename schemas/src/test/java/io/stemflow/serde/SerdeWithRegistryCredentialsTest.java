package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.registry.auth.PasswordHash;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.RegistryUsers;
import io.stemflow.serde.fixtures.Track;
import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.service.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The serde and the registry client with credentials read by {@link RegistryConnection}, against the real registry. */
class SerdeWithRegistryCredentialsTest {

    private static final String TOPIC = "tracks";
    private static final String PASSWORD = "writer-password";

    private EmbeddedSchemaRegistry registry;

    @BeforeEach
    void startRegistry() {
        final String hash = PasswordHash.create(PASSWORD, PasswordHash.MIN_ITERATIONS).encoded();
        registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory().withAccess(RegistryAccess.basic(
                RegistryUsers.parse("test", List.of("svc:writer:" + hash)), true)));
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    @Test
    void shouldRegisterAndResolveWhenSerdeHasTheWritersCredentials() throws Exception {
        // given
        final Settings settings = new Settings("test", Map.of(
                "STEMFLOW_SCHEMA_REGISTRY_USER", "svc", "STEMFLOW_SCHEMA_REGISTRY_PASSWORD", PASSWORD));
        final RegistryConnection connection = RegistryConnection.read(settings, registry.url().toString()).orElseThrow();
        final AvroSerde<Track> producerSide = AvroSerdes.specific(Track.class, connection.serdeConfig(), false);
        final AvroSerde<Track> consumerSide = AvroSerdes.specific(Track.class, RegistryConnection.of(
                registry.url().toString()).serdeConfig(), false);
        final Track track = new Track("t-1", "Intro", 180_000L, "jazz");

        // when
        final byte[] bytes = producerSide.serializer().serialize(TOPIC, track);

        // then: registered by the writer, read back by a consumer without credentials (reads are open)
        assertThat(consumerSide.deserializer().deserialize(TOPIC, bytes)).isEqualTo(track);
        assertThat(new RestSchemaRegistryClient(connection.clientConfig()).getLatest("tracks-value").schema())
                .isEqualTo(JavaProperties.strip(Track.SCHEMA$));
    }

    @Test
    void shouldFailAndRegisterNothingWhenSerdeHasNoCredentials() throws Exception {
        // given
        final AvroSerde<Track> anonymous = AvroSerdes.specific(Track.class,
                RegistryConnection.of(registry.url().toString()).serdeConfig(), false);
        final AvroSerde<Track> wrongPassword = AvroSerdes.specific(Track.class,
                RegistryConnection.of(registry.url().toString()).withAuth(RegistryAuth.basic("svc", "guess"))
                        .serdeConfig(), false);
        final Track track = new Track("t-1", "Intro", 180_000L, "jazz");

        // when / then
        assertThatThrownBy(() -> anonymous.serializer().serialize(TOPIC, track)).hasMessageContaining("401");
        assertThatThrownBy(() -> wrongPassword.serializer().serialize(TOPIC, track))
                .hasMessageContaining("401").message().doesNotContain("guess");
        final HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.url() + "/subjects")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(subjects.body()).isEqualTo("[]");
    }
}
