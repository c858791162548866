package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryClientConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class AvroSerdeConfigTest {

    @Test
    void shouldApplyConfluentDefaultsWhenOnlyTheUrlIsGiven() {
        // when
        final AvroSerdeConfig config = AvroSerdeConfig.parse(Map.of("schema.registry.url", "http://a:8081,http://b:8081"), false);

        // then
        assertThat(config.registryUrls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
        assertThat(config.auth()).isEqualTo(RegistryAuth.none());
        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(config.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(config.specificAvroReader()).isFalse();
        assertThat(config.specificType(false)).isEmpty();
        assertThat(config.cacheCapacity()).isEqualTo(1000);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.latestCacheTtl()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void shouldParseEverySettingWhenGivenAsStringsOrTypedValues() {
        // when
        final AvroSerdeConfig config =
                AvroSerdeConfig.parse(
                        Map.ofEntries(
                                Map.entry("schema.registry.url", List.of("http://a:8081", "http://b:8081")),
                                Map.entry("auto.register.schemas", "FALSE"),
                                Map.entry("use.latest.version", true),
                                Map.entry("key.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"),
                                Map.entry("value.subject.name.strategy", "TopicRecordNameStrategy"),
                                Map.entry("basic.auth.credentials.source", "USER_INFO"),
                                Map.entry("basic.auth.user.info", new Password("alice:s3:cret")),
                                Map.entry("specific.avro.reader", "true"),
                                Map.entry("specific.avro.value.type", "io.stemflow.serde.fixtures.Track"),
                                Map.entry("schema.registry.cache.capacity", 50),
                                Map.entry("schema.registry.request.timeout.ms", "2500"),
                                Map.entry("latest.cache.ttl.sec", "-1")),
                        false);

        // then
        assertThat(config.registryUrls()).hasSize(2);
        assertThat(config.autoRegisterSchemas()).isFalse();
        assertThat(config.useLatestVersion()).isTrue();
        assertThat(config.keySubjectNameStrategy()).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(config.valueSubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(config.auth()).isEqualTo(RegistryAuth.basic("alice", "s3:cret"));
        assertThat(config.specificAvroReader()).isTrue();
        assertThat(config.specificType(false)).contains("io.stemflow.serde.fixtures.Track");
        assertThat(config.cacheCapacity()).isEqualTo(50);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.latestCacheTtl()).isEqualTo(AvroSerdeConfig.NEVER_EXPIRE);
        final RegistryClientConfig client = config.registryClientConfig();
        assertThat(client.cacheCapacity()).isEqualTo(50);
        assertThat(client.auth()).isEqualTo(config.auth());
    }

    @Test
    void shouldTakeCredentialsFromTheUrlAndStripThemWhenTheSourceIsUrl() {
        // when
        final AvroSerdeConfig config =
                AvroSerdeConfig.parse(Map.of("schema.registry.url", "https://alice:s3cret@registry:8081"), false);

        // then
        assertThat(config.registryUrls()).containsExactly(URI.create("https://registry:8081"));
        assertThat(config.auth()).isEqualTo(RegistryAuth.basic("alice", "s3cret"));
        assertThat(config.toString()).doesNotContain("alice", "s3cret");
    }

    @Test
    void shouldUseABearerTokenWhenTheSourceIsStaticToken() {
        // when
        final AvroSerdeConfig config =
                AvroSerdeConfig.parse(
                        Map.of(
                                "schema.registry.url", "http://registry:8081",
                                "bearer.auth.credentials.source", "STATIC_TOKEN",
                                "bearer.auth.token", "tok-123"),
                        false);

        // then
        assertThat(config.auth()).isEqualTo(RegistryAuth.bearer("tok-123"));
        assertThat(config.toString()).doesNotContain("tok-123");
    }

    @Test
    void shouldNotNeedAUrlWhenAClientIsPassedIn() {
        // when
        final AvroSerdeConfig config = AvroSerdeConfig.parse(Map.of("auto.register.schemas", "false"), true);

        // then
        assertThat(config.registryUrls()).isEmpty();
        assertThat(config.autoRegisterSchemas()).isFalse();
    }

    @Test
    void shouldNameTheSettingWhenAValueIsMissingOrInvalid() {
        assertThatThrownBy(() -> AvroSerdeConfig.parse(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("\"schema.registry.url\"");
        assertThatThrownBy(() -> parse("auto.register.schemas", "yes"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auto.register.schemas")
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> parse("schema.registry.cache.capacity", "0"))
                .hasMessageContaining("schema.registry.cache.capacity");
        assertThatThrownBy(() -> parse("schema.registry.request.timeout.ms", "ten"))
                .hasMessageContaining("schema.registry.request.timeout.ms");
        assertThatThrownBy(() -> parse("value.subject.name.strategy", "Nope"))
                .hasMessageContaining("value.subject.name.strategy")
                .hasMessageContaining("'Nope'");
        assertThatThrownBy(() -> parse("basic.auth.credentials.source", "SASL_INHERIT"))
                .hasMessageContaining("basic.auth.credentials.source");
        assertThatThrownBy(() -> parse("bearer.auth.credentials.source", "STATIC_TOKEN"))
                .hasMessageContaining("bearer.auth.token");
        assertThatThrownBy(() -> AvroSerdeConfig.parse(Map.of("schema.registry.url", "ftp://x"), false))
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void shouldNeverShowASecretWhenACredentialSettingIsInvalid() {
        assertThatThrownBy(() -> parse("basic.auth.user.info", "alice-without-colon-s3cret"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("basic.auth.user.info")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(
                        () ->
                                AvroSerdeConfig.parse(
                                        Map.of(
                                                "schema.registry.url", "http://r:1",
                                                "bearer.auth.token", "tok-123",
                                                "basic.auth.user.info", "alice:s3cret"),
                                        false))
                .hasMessageContaining("choose one")
                .hasMessageNotContaining("tok-123")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> AvroSerdeConfig.parse(Map.of("schema.registry.url", "gopher://alice:s3cret@h:1"), false))
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void shouldKeepSettingsOfItsSideWhenAskedForKeyOrValue() {
        // when
        final AvroSerdeConfig config =
                AvroSerdeConfig.parse(
                        Map.of("specific.avro.key.type", String.class, "key.subject.name.strategy", "RecordNameStrategy"),
                        true);

        // then
        assertThat(config.specificType(true)).isEqualTo(Optional.of("java.lang.String"));
        assertThat(config.specificType(false)).isEmpty();
        assertThat(config.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(config.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
    }

    private static AvroSerdeConfig parse(String key, Object value) {
        return AvroSerdeConfig.parse(Map.of("schema.registry.url", "http://r:1", key, value), false);
    }
}
