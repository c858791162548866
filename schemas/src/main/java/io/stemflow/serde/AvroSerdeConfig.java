package io.stemflow.serde;

import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RegistryUrls;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The serde's settings, under Confluent's keys, parsed and validated once. Every error is a Kafka
 * {@link ConfigException} that names the setting; values of credential settings never appear in a
 * message, and {@code toString()} hides them.
 *
 * @param registryUrls registry base URLs without credentials (empty when a client is passed in)
 * @param auth registry authentication
 * @param autoRegisterSchemas register the value's schema on serialisation
 * @param useLatestVersion serialise with the subject's latest version instead of the value's
 *     own schema (takes precedence over auto-registration)
 * @param keySubjectNameStrategy subject naming for keys
 * @param valueSubjectNameStrategy subject naming for values
 * @param specificAvroReader deserialise into generated SpecificRecord classes when found
 * @param specificKeyType SpecificRecord class name keys are read into, if set
 * @param specificValueType SpecificRecord class name values are read into, if set
 * @param cacheCapacity bound of every cache of the serde and its registry client
 * @param requestTimeout timeout of each registry HTTP call
 * @param latestCacheTtl how long the latest version of a subject is cached
 * @param removeJavaProperties register and write a generated class's schema without the properties only
 *     Java reads ({@code avro.java.string}...), i.e. as the {@code .avsc} it came from ({@link JavaProperties});
 *     default {@code true}, unlike Confluent's serializer, so that every client's schema of the same
 *     {@code .avsc} resolves to the same id
 */
public record AvroSerdeConfig(
        List<URI> registryUrls,
        RegistryAuth auth,
        boolean autoRegisterSchemas,
        boolean useLatestVersion,
        SubjectNameStrategy keySubjectNameStrategy,
        SubjectNameStrategy valueSubjectNameStrategy,
        boolean specificAvroReader,
        Optional<String> specificKeyType,
        Optional<String> specificValueType,
        int cacheCapacity,
        Duration requestTimeout,
        Duration latestCacheTtl,
        boolean removeJavaProperties) {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    public static final String REMOVE_JAVA_PROPERTIES = "avro.remove.java.properties";

    /** {@code latest.cache.ttl.sec=-1} (Confluent's "never expire") maps to this. */
    static final Duration NEVER_EXPIRE = Duration.ofDays(36_500);

    public AvroSerdeConfig {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(keySubjectNameStrategy, "keySubjectNameStrategy");
        Objects.requireNonNull(valueSubjectNameStrategy, "valueSubjectNameStrategy");
        Objects.requireNonNull(specificKeyType, "specificKeyType");
        Objects.requireNonNull(specificValueType, "specificValueType");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(latestCacheTtl, "latestCacheTtl");
        registryUrls = List.copyOf(registryUrls);
    }

    /** All defaults, no URL: for serdes built with a {@code SchemaRegistryClient} instance. */
    public static AvroSerdeConfig defaults() {
        return parse(Map.of(), true);
    }

    /**
     * Parses Kafka-style {@code configs}.
     *
     * @param clientProvided whether a {@code SchemaRegistryClient} instance is passed in, so that
     *     {@code schema.registry.url} is not required (and ignored if present)
     * @throws ConfigException naming the first invalid setting
     */
    public static AvroSerdeConfig parse(Map<String, ?> configs, boolean clientProvided) {
        Objects.requireNonNull(configs, "configs");
        final Optional<String> rawUrls = urls(configs.get(SCHEMA_REGISTRY_URL));
        if (rawUrls.isEmpty() && !clientProvided) {
            throw new ConfigException(
                    "Missing required configuration \"" + SCHEMA_REGISTRY_URL
                            + "\": a comma-separated list of schema registry URLs, e.g. http://localhost:8081");
        }
        final RegistryUrls.Parsed parsed;
        if (rawUrls.isPresent() && !clientProvided) {
            try {
                parsed = RegistryUrls.parse(rawUrls.get());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("Invalid value for configuration \"" + SCHEMA_REGISTRY_URL + "\": " + e.getMessage());
            }
        } else {
            parsed = new RegistryUrls.Parsed(List.of(), Optional.empty());
        }
        return new AvroSerdeConfig(
                parsed.urls(),
                auth(configs, parsed),
                bool(configs, AUTO_REGISTER_SCHEMAS, true),
                bool(configs, USE_LATEST_VERSION, false),
                strategy(configs, KEY_SUBJECT_NAME_STRATEGY),
                strategy(configs, VALUE_SUBJECT_NAME_STRATEGY),
                bool(configs, SPECIFIC_AVRO_READER, false),
                className(configs, SPECIFIC_AVRO_KEY_TYPE),
                className(configs, SPECIFIC_AVRO_VALUE_TYPE),
                (int) number(configs, CACHE_CAPACITY, RegistryClientConfig.DEFAULT_CACHE_CAPACITY, 1, Integer.MAX_VALUE),
                Duration.ofMillis(
                        number(
                                configs,
                                REQUEST_TIMEOUT_MS,
                                RegistryClientConfig.DEFAULT_REQUEST_TIMEOUT.toMillis(),
                                1,
                                Integer.MAX_VALUE)),
                latestTtl(configs),
                bool(configs, REMOVE_JAVA_PROPERTIES, true));
    }

    /** The subject naming for keys or values. */
    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        return isKey ? keySubjectNameStrategy : valueSubjectNameStrategy;
    }

    /** The configured SpecificRecord class name for keys or values, if any. */
    public Optional<String> specificType(boolean isKey) {
        return isKey ? specificKeyType : specificValueType;
    }

    /**
     * The settings of a {@link io.stemflow.serde.registry.RestSchemaRegistryClient}.
     *
     * @throws ConfigException when no {@code schema.registry.url} was given
     */
    public RegistryClientConfig registryClientConfig() {
        if (registryUrls.isEmpty()) {
            throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL + "\"");
        }
        return new RegistryClientConfig(registryUrls, auth, requestTimeout, cacheCapacity, latestCacheTtl);
    }

    private static Optional<String> urls(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        final String text =
                value instanceof Collection<?> list
                        ? list.stream().map(String::valueOf).collect(Collectors.joining(","))
                        : String.valueOf(value);
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    private static RegistryAuth auth(Map<String, ?> configs, RegistryUrls.Parsed parsed) {
        final Optional<String> userInfo = secret(configs, BASIC_AUTH_USER_INFO);
        final Optional<String> token = secret(configs, BEARER_AUTH_TOKEN);
        final Optional<String> basicSource = text(configs, BASIC_AUTH_CREDENTIALS_SOURCE).map(s -> s.toUpperCase(Locale.ROOT));
        final Optional<String> bearerSource = text(configs, BEARER_AUTH_CREDENTIALS_SOURCE).map(s -> s.toUpperCase(Locale.ROOT));

        if (bearerSource.isPresent() && !bearerSource.get().equals("STATIC_TOKEN")) {
            throw new ConfigException(
                    "Invalid value '" + bearerSource.get() + "' for configuration \"" + BEARER_AUTH_CREDENTIALS_SOURCE
                            + "\": only STATIC_TOKEN is supported");
        }
        if (bearerSource.isPresent() || token.isPresent()) {
            if (token.isEmpty()) {
                throw new ConfigException(
                        "Missing configuration \"" + BEARER_AUTH_TOKEN + "\", required by " + BEARER_AUTH_CREDENTIALS_SOURCE
                                + "=STATIC_TOKEN");
            }
            if (basicSource.isPresent() || userInfo.isPresent()) {
                throw new ConfigException(
                        "Both bearer (\"" + BEARER_AUTH_TOKEN + "\") and basic (\"" + BASIC_AUTH_CREDENTIALS_SOURCE + "\"/\""
                                + BASIC_AUTH_USER_INFO + "\") registry authentication are configured: choose one");
            }
            return RegistryAuth.bearer(token.get());
        }
        final String source = basicSource.orElse(userInfo.isPresent() ? "USER_INFO" : "URL");
        switch (source) {
            case "USER_INFO":
                final String info =
                        userInfo.orElseThrow(
                                () -> new ConfigException(
                                        "Missing configuration \"" + BASIC_AUTH_USER_INFO + "\", required by "
                                                + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO"));
                final int colon = info.indexOf(':');
                if (colon < 0) {
                    throw new ConfigException(
                            "Invalid value for configuration \"" + BASIC_AUTH_USER_INFO
                                    + "\": expected user:password (value not shown)");
                }
                return RegistryAuth.basic(info.substring(0, colon), info.substring(colon + 1));
            case "URL":
                return parsed.userInfo().<RegistryAuth>map(basic -> basic).orElse(RegistryAuth.none());
            default:
                throw new ConfigException(
                        "Invalid value '" + source + "' for configuration \"" + BASIC_AUTH_CREDENTIALS_SOURCE
                                + "\": expected USER_INFO or URL");
        }
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean defaultValue) {
        final Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        final String text = String.valueOf(value).trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(key, value, "expected true or false");
    }

    private static long number(Map<String, ?> configs, String key, long defaultValue, long min, long max) {
        final Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        final long parsed;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            parsed = ((Number) value).longValue();
        } else {
            try {
                parsed = Long.parseLong(String.valueOf(value).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "expected a whole number");
            }
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(key, value, "expected a number between " + min + " and " + max);
        }
        return parsed;
    }

    private static Duration latestTtl(Map<String, ?> configs) {
        final long seconds =
                number(
                        configs,
                        LATEST_CACHE_TTL_SEC,
                        RegistryClientConfig.DEFAULT_LATEST_CACHE_TTL.toSeconds(),
                        -1,
                        3_153_600_000L);
        return seconds == -1 ? NEVER_EXPIRE : Duration.ofSeconds(seconds);
    }

    private static SubjectNameStrategy strategy(Map<String, ?> configs, String key) {
        final Object value = configs.get(key);
        if (value == null) {
            return SubjectNameStrategy.TOPIC_NAME;
        }
        try {
            return SubjectNameStrategy.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid value for configuration \"" + key + "\": " + e.getMessage());
        }
    }

    private static Optional<String> className(Map<String, ?> configs, String key) {
        final Object value = configs.get(key);
        if (value instanceof Class<?> type) {
            return Optional.of(type.getName());
        }
        return text(configs, key);
    }

    private static Optional<String> text(Map<String, ?> configs, String key) {
        final Object value = configs.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            return Optional.empty();
        }
        return Optional.of(String.valueOf(value).trim());
    }

    private static Optional<String> secret(Map<String, ?> configs, String key) {
        final Object value = configs.get(key);
        final String text = value instanceof Password password ? password.value() : value == null ? null : String.valueOf(value);
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
    }
}
