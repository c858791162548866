package io.stemflow.serde.registry;

import io.stemflow.serde.AvroSerdeConfig;
import io.stemflow.service.Settings;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the schema registry is and who we are to it: the one place every service and the CLI read the registry's
 * credentials ({@link #read}), and the one place they are turned into serde settings ({@link #serdeConfig()}) and
 * client settings ({@link #clientConfig()}).
 *
 * <p>Credentials come from {@code STEMFLOW_SCHEMA_REGISTRY_USER} with {@code STEMFLOW_SCHEMA_REGISTRY_PASSWORD} or
 * {@code STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE} (HTTP basic), or from {@code user:password@} in the URL (kept for
 * compatibility; never both). The URLs kept here never carry credentials, so {@link #urls()} and
 * {@code toString()} can be logged.
 *
 * @param urls comma-separated registry base URLs, without credentials
 * @param auth how to authenticate ({@code toString()} hides the secret)
 */
public record RegistryConnection(String urls, RegistryAuth auth) {

    public static final String ENV_URL = "STEMFLOW_SCHEMA_REGISTRY_URL";
    public static final String ENV_USER = "STEMFLOW_SCHEMA_REGISTRY_USER";
    public static final String ENV_PASSWORD = "STEMFLOW_SCHEMA_REGISTRY_PASSWORD";
    public static final String ENV_PASSWORD_FILE = ENV_PASSWORD + Settings.FILE_SUFFIX;

    /**
     * @throws IllegalArgumentException when a URL is not an http(s) URL, or credentials are given both in a URL and
     *     as {@code auth}; the message never shows them
     */
    public RegistryConnection {
        Objects.requireNonNull(auth, "auth");
        final RegistryUrls.Parsed parsed = RegistryUrls.parse(urls);
        if (parsed.userInfo().isPresent()) {
            if (!(auth instanceof RegistryAuth.None)) {
                throw new IllegalArgumentException("registry credentials are given twice: in the URL and as "
                        + ENV_USER + "/" + ENV_PASSWORD + "; keep one");
            }
            auth = parsed.userInfo().get();
        }
        urls = parsed.urls().stream().map(URI::toString).collect(Collectors.joining(","));
    }

    /** {@code urls}, with the basic credentials of a {@code user:password@} in them if any. */
    public static RegistryConnection of(final String urls) {
        return new RegistryConnection(urls, RegistryAuth.none());
    }

    /**
     * The registry at {@code urls} (already read by the caller: a service's required setting, the CLI's flag or its
     * local stack) with the credentials of {@code STEMFLOW_SCHEMA_REGISTRY_USER} and
     * {@code STEMFLOW_SCHEMA_REGISTRY_PASSWORD(_FILE)}. Every problem goes to {@code settings}, naming the variable;
     * empty then.
     */
    public static Optional<RegistryConnection> read(final Settings settings, final String urls) {
        final RegistryAuth auth = auth(settings);
        if (urls == null || urls.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RegistryConnection(urls, auth));
        } catch (IllegalArgumentException e) {
            settings.problem(ENV_URL + " is invalid: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The basic credentials of {@code STEMFLOW_SCHEMA_REGISTRY_USER} and {@code STEMFLOW_SCHEMA_REGISTRY_PASSWORD}
     * (or {@code _FILE}); {@link RegistryAuth#none()} when neither is set, a problem when only one is.
     */
    public static RegistryAuth auth(final Settings settings) {
        final Optional<String> user = settings.optional(ENV_USER);
        final Optional<String> password = settings.secretText(ENV_PASSWORD);
        if (user.isPresent() && user.get().contains(":")) {
            settings.problem(ENV_USER + " must not contain ':' (HTTP basic)");
            return RegistryAuth.none();
        }
        if (user.isPresent() != password.isPresent()) {
            if (settings.problems().stream().noneMatch(p -> p.contains(ENV_PASSWORD))) {
                settings.problem(user.isPresent()
                        ? ENV_USER + " is set without " + ENV_PASSWORD + " or " + ENV_PASSWORD_FILE
                        : ENV_PASSWORD + " is set without " + ENV_USER);
            }
            return RegistryAuth.none();
        }
        return user.<RegistryAuth>map(name -> RegistryAuth.basic(name, password.get())).orElse(RegistryAuth.none());
    }

    /** The same registry with {@code newAuth} instead (a URL's own credentials are already moved to auth). */
    public RegistryConnection withAuth(final RegistryAuth newAuth) {
        return new RegistryConnection(urls, newAuth);
    }

    /** The serde settings: {@code schema.registry.url} and, with credentials, Confluent's basic or bearer keys. */
    public Map<String, Object> serdeConfig() {
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, urls);
        if (auth instanceof RegistryAuth.Basic basic) {
            config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO");
            config.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO, basic.username() + ":" + basic.password());
        } else if (auth instanceof RegistryAuth.Bearer bearer) {
            config.put(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN");
            config.put(AvroSerdeConfig.BEARER_AUTH_TOKEN, bearer.token());
        }
        return config;
    }

    /** The settings of a {@link RestSchemaRegistryClient} for this registry, defaults otherwise. */
    public RegistryClientConfig clientConfig() {
        return RegistryClientConfig.of(urls).withAuth(auth);
    }

    @Override
    public String toString() {
        return "RegistryConnection[urls=" + urls + ", auth=" + auth + "]";
    }
}
