package io.stemflow.serde.registry;

import io.stemflow.compat.CompatibilityLevel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaRegistryClient} over the JDK {@link HttpClient}, speaking the Confluent Schema
 * Registry REST API (Confluent, Apicurio ccompat, Karapace, Redpanda, stemflow's embedded one).
 *
 * <p>Failover: each call starts at the URL that answered last and moves on to the next one on a
 * connection failure, a timeout or a 5xx answer; a 4xx answer is final. Caches (each bounded to
 * {@link RegistryClientConfig#cacheCapacity()}, least recently used out first): id to schema and
 * (subject, schema) to id, both immutable in a registry so never expired; latest version per
 * subject, expired after {@link RegistryClientConfig#latestCacheTtl()} on the injected clock.
 *
 * <p>Credentials live only in the {@code Authorization} header: URLs are kept without user info,
 * and no message or log line shows the header.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** The media type of the Confluent API, sent as {@code Accept} and {@code Content-Type}. */
    public static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final RegistryClientConfig config;
    private final List<String> baseUrls;
    private final Optional<String> authorization;
    private final HttpClient http;
    private final LongSupplier nanoTime;
    private final AtomicInteger preferred = new AtomicInteger();
    private final LruCache<Integer, Schema> schemasById;
    private final LruCache<SubjectSchema, Integer> idsBySubjectSchema;
    private final LruCache<SameSchema, Integer> idsBySameSchema;
    private final LruCache<String, CachedLatest> latestBySubject;

    private record SubjectSchema(String subject, Schema schema) {}

    /**
     * The same key by the schema's identity: the lookup a serializer makes for every record it writes. Avro's
     * {@code Schema.equals} compares field by field, and a serializer's schema is seldom the very instance that
     * was registered first (the contract check at start, another serializer's copy): that deep compare on every
     * record was about 6-9% of the pipeline's stream threads' CPU on the result path ({@code stemflow bench --jfr}).
     * An instance pays it once, the first time, through {@link SubjectSchema}.
     */
    private record SameSchema(String subject, Schema schema) {
        @Override
        public boolean equals(final Object o) {
            return o instanceof SameSchema other && other.schema == schema && other.subject.equals(subject);
        }

        @Override
        public int hashCode() {
            return 31 * subject.hashCode() + System.identityHashCode(schema);
        }
    }

    private record CachedLatest(RegisteredSchema latest, long fetchedAtNanos) {}

    private record Response(String baseUrl, int status, String body) {
        boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    private record RegistryError(int errorCode, String message) {}

    public RestSchemaRegistryClient(RegistryClientConfig config) {
        this(config, System::nanoTime);
    }

    /** With an injected monotonic clock for the latest-version TTL. */
    public RestSchemaRegistryClient(RegistryClientConfig config, LongSupplier nanoTime) {
        this.config = Objects.requireNonNull(config, "config");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.baseUrls = config.urls().stream().map(URI::toString).collect(Collectors.toUnmodifiableList());
        this.authorization = config.auth().authorizationHeader();
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(config.requestTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.schemasById = new LruCache<>(config.cacheCapacity());
        this.idsBySubjectSchema = new LruCache<>(config.cacheCapacity());
        this.idsBySameSchema = new LruCache<>(config.cacheCapacity());
        this.latestBySubject = new LruCache<>(config.cacheCapacity());
    }

    @Override
    public int register(String subject, Schema schema) {
        requireArguments(subject, schema);
        final Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        final String path = "/subjects/" + encode(subject) + "/versions";
        final Response response = send("POST", path, schemaBody(schema));
        if (!response.isSuccess()) {
            throw failure(response, "POST " + path, subject);
        }
        final int id = intField(response, json(response, "POST " + path), "POST " + path, "id");
        LOG.debug("Registered schema {} under subject '{}' as id {}", schema.getFullName(), subject, id);
        cacheId(subject, schema, id);
        return id;
    }

    @Override
    public int getId(String subject, Schema schema) {
        requireArguments(subject, schema);
        final Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        final String path = "/subjects/" + encode(subject);
        final Response response = send("POST", path, schemaBody(schema));
        if (!response.isSuccess()) {
            final RegistryError error = parseError(response);
            if (response.status() == 404 && error.errorCode() == RegistryErrorCodes.SCHEMA_NOT_FOUND) {
                throw new SchemaNotFoundException(
                        "Schema " + schema.getFullName() + " is not registered under subject '" + subject + "' in registry "
                                + response.baseUrl(),
                        response.status(),
                        error.errorCode());
            }
            throw failure(response, "POST " + path, subject);
        }
        final int id = intField(response, json(response, "POST " + path), "POST " + path, "id");
        cacheId(subject, schema, id);
        return id;
    }

    /** The id known for {@code schema} under {@code subject}: by identity first, else by value (then kept by identity). */
    private Integer cachedId(final String subject, final Schema schema) {
        final SameSchema same = new SameSchema(subject, schema);
        final Integer byIdentity = idsBySameSchema.get(same);
        if (byIdentity != null) {
            return byIdentity;
        }
        final Integer byValue = idsBySubjectSchema.get(new SubjectSchema(subject, schema));
        if (byValue != null) {
            idsBySameSchema.put(same, byValue);
        }
        return byValue;
    }

    private void cacheId(final String subject, final Schema schema, final int id) {
        idsBySubjectSchema.put(new SubjectSchema(subject, schema), id);
        idsBySameSchema.put(new SameSchema(subject, schema), id);
        schemasById.put(id, schema);
    }

    @Override
    public Schema getById(int id) {
        final Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        final String path = "/schemas/ids/" + id;
        final Response response = send("GET", path, null);
        if (response.status() == 404) {
            final RegistryError error = parseError(response);
            if (error.errorCode() == RegistryErrorCodes.SCHEMA_NOT_FOUND || error.errorCode() == 404) {
                throw new SchemaNotFoundException(
                        "Schema id " + id + " not found in registry " + response.baseUrl(), 404, error.errorCode());
            }
        }
        if (!response.isSuccess()) {
            throw failure(response, "GET " + path, null);
        }
        final JsonNode body = json(response, "GET " + path);
        final String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new SchemaRegistryException(
                    "Schema id " + id + " in registry " + response.baseUrl() + " is of type " + type + ", not AVRO",
                    response.status(),
                    RegistryErrorCodes.NONE);
        }
        final Schema schema = parseSchema(textField(response, body, "GET " + path, "schema"), response, "id " + id);
        schemasById.put(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema getLatest(String subject) {
        Objects.requireNonNull(subject, "subject");
        final long now = nanoTime.getAsLong();
        final CachedLatest cached = latestBySubject.get(subject);
        if (cached != null && now - cached.fetchedAtNanos() < config.latestCacheTtl().toNanos()) {
            return cached.latest();
        }
        final String path = "/subjects/" + encode(subject) + "/versions/latest";
        final Response response = send("GET", path, null);
        if (!response.isSuccess()) {
            throw failure(response, "GET " + path, subject);
        }
        final JsonNode body = json(response, "GET " + path);
        final int id = intField(response, body, "GET " + path, "id");
        final int version = body.path("version").asInt(-1);
        if (version < 1) {
            throw unreadable(response, "GET " + path, "no positive 'version'");
        }
        final Schema schema =
                parseSchema(textField(response, body, "GET " + path, "schema"), response, "subject '" + subject + "'");
        final RegisteredSchema latest = new RegisteredSchema(subject, id, version, schema);
        if (!config.latestCacheTtl().isZero()) {
            latestBySubject.put(subject, new CachedLatest(latest, now));
        }
        schemasById.put(id, schema);
        return latest;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        requireArguments(subject, schema);
        final String path = "/compatibility/subjects/" + encode(subject) + "/versions/latest";
        final Response response = send("POST", path, schemaBody(schema));
        if (response.status() == 404) {
            final int code = parseError(response).errorCode();
            if (code == RegistryErrorCodes.SUBJECT_NOT_FOUND || code == RegistryErrorCodes.VERSION_NOT_FOUND) {
                return true;
            }
        }
        if (!response.isSuccess()) {
            throw failure(response, "POST " + path, subject);
        }
        final JsonNode flag = json(response, "POST " + path).get("is_compatible");
        if (flag == null || !flag.isBoolean()) {
            throw unreadable(response, "POST " + path, "no boolean 'is_compatible'");
        }
        return flag.booleanValue();
    }

    /**
     * Sets the compatibility level of {@code subject} ({@code PUT /config/{subject}}), which the
     * registry then applies to every schema registered under it; the subject need not exist yet.
     * Not part of {@link SchemaRegistryClient}: it is an operator's setting, not something a serde does.
     *
     * @return the level the registry answered with
     * @throws SchemaRegistryException when the registry refuses it or answers without a level
     */
    public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(level, "level");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("Subject must not be blank");
        }
        final String path = "/config/" + encode(subject);
        final Response response = send("PUT", path, compatibilityBody(level));
        if (!response.isSuccess()) {
            throw failure(response, "PUT " + path, subject);
        }
        final String answered = textField(response, json(response, "PUT " + path), "PUT " + path, "compatibility");
        try {
            return CompatibilityLevel.valueOf(answered);
        } catch (IllegalArgumentException e) {
            throw unreadable(response, "PUT " + path, "unknown compatibility '" + answered + "'");
        }
    }

    @Override
    public String endpoint() {
        return String.join(",", baseUrls);
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient[" + endpoint() + ", auth=" + config.auth() + "]";
    }

    /**
     * Sends one request, trying each URL once starting at the one that answered last. Returns the
     * first answer below 500; throws {@link RegistryUnavailableException} naming every URL tried.
     */
    private Response send(String method, String path, String body) {
        final int first = preferred.get();
        final List<String> failures = new ArrayList<>(baseUrls.size());
        final List<String> tried = new ArrayList<>(baseUrls.size());
        int lastStatus = RegistryErrorCodes.NONE;
        int lastErrorCode = RegistryErrorCodes.NONE;
        Exception lastCause = null;
        for (int attempt = 0; attempt < baseUrls.size(); attempt++) {
            final int index = (first + attempt) % baseUrls.size();
            final String baseUrl = baseUrls.get(index);
            tried.add(baseUrl);
            String failure;
            try {
                final HttpResponse<String> answer =
                        http.send(request(baseUrl, method, path, body), HttpResponse.BodyHandlers.ofString());
                final Response response = new Response(baseUrl, answer.statusCode(), answer.body());
                if (response.status() < 500) {
                    preferred.set(index);
                    return response;
                }
                final RegistryError error = parseError(response);
                lastStatus = response.status();
                lastErrorCode = error.errorCode();
                failure = "HTTP " + response.status() + ", error_code " + error.errorCode() + ": " + error.message();
            } catch (HttpTimeoutException e) {
                lastCause = e;
                failure = "timed out after " + config.requestTimeout().toMillis() + " ms";
            } catch (IOException e) {
                lastCause = e;
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException(
                        "Interrupted while calling schema registry " + baseUrl + " (" + method + " " + path + ")",
                        tried,
                        RegistryErrorCodes.NONE,
                        RegistryErrorCodes.NONE,
                        e);
            }
            failures.add(baseUrl + " (" + RegistryUrls.redact(failure) + ")");
            if (attempt + 1 < baseUrls.size()) {
                LOG.warn("Schema registry {} failed on {} {} ({}), trying the next URL", baseUrl, method, path, failure);
            }
        }
        throw new RegistryUnavailableException(
                "Schema registry unreachable for " + method + " " + path + ": tried " + String.join(", ", failures),
                tried,
                lastStatus,
                lastErrorCode,
                lastCause);
    }

    private HttpRequest request(String baseUrl, String method, String path, String body) {
        final HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(config.requestTimeout())
                        .header("Accept", MEDIA_TYPE);
        authorization.ifPresent(value -> builder.header("Authorization", value));
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", MEDIA_TYPE);
            builder.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private SchemaRegistryException failure(Response response, String request, String subject) {
        final RegistryError error = parseError(response);
        final int status = response.status();
        if (status == 409 || error.errorCode() == RegistryErrorCodes.INCOMPATIBLE_SCHEMA) {
            return new IncompatibleSchemaException(
                    subject,
                    "Schema for subject '" + subject + "' rejected as incompatible by registry " + response.baseUrl() + ": "
                            + error.message(),
                    status,
                    error.errorCode());
        }
        if (status == 404
                && (error.errorCode() == RegistryErrorCodes.SUBJECT_NOT_FOUND
                        || error.errorCode() == RegistryErrorCodes.VERSION_NOT_FOUND)
                && subject != null) {
            return new SubjectNotFoundException(
                    subject,
                    "Subject '" + subject + "' not found (or has no version) in registry " + response.baseUrl() + ": "
                            + error.message(),
                    status,
                    error.errorCode());
        }
        return new SchemaRegistryException(
                "Schema registry " + response.baseUrl() + " answered HTTP " + status + " (error_code " + error.errorCode()
                        + ") to " + request + ": " + error.message(),
                status,
                error.errorCode());
    }

    private static RegistryError parseError(Response response) {
        final String body = response.body() == null ? "" : response.body();
        try {
            final JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject()) {
                final int code = node.path("error_code").asInt(response.status());
                final String message = node.path("message").asText(abbreviate(body));
                return new RegistryError(code, message);
            }
        } catch (JsonProcessingException e) {
            // not JSON: fall through and report the raw text
        }
        return new RegistryError(response.status(), abbreviate(body));
    }

    private static JsonNode json(Response response, String request) {
        try {
            final JsonNode node = JSON.readTree(response.body());
            if (node == null || !node.isObject()) {
                throw unreadable(response, request, "not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw unreadable(response, request, "not JSON");
        }
    }

    private static int intField(Response response, JsonNode body, String request, String field) {
        final JsonNode value = body.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw unreadable(response, request, "no integer '" + field + "'");
        }
        return value.intValue();
    }

    private static String textField(Response response, JsonNode body, String request, String field) {
        final JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw unreadable(response, request, "no string '" + field + "'");
        }
        return value.textValue();
    }

    private static Schema parseSchema(String text, Response response, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(
                    "Schema registry " + response.baseUrl() + " returned an unparseable Avro schema for " + what + ": "
                            + e.getMessage(),
                    response.status(),
                    RegistryErrorCodes.NONE,
                    e);
        }
    }

    private static SchemaRegistryException unreadable(Response response, String request, String problem) {
        return new SchemaRegistryException(
                "Schema registry " + response.baseUrl() + " answered " + request + " with an unexpected body (" + problem
                        + "): " + abbreviate(response.body()),
                response.status(),
                RegistryErrorCodes.NONE);
    }

    private static String schemaBody(Schema schema) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode schema " + schema.getFullName() + " as JSON", e);
        }
    }

    private static String compatibilityBody(CompatibilityLevel level) {
        try {
            return JSON.writeValueAsString(Map.of("compatibility", level.name()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode compatibility " + level + " as JSON", e);
        }
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }

    private static void requireArguments(String subject, Schema schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("Subject must not be blank");
        }
    }
}
