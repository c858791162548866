package io.stemflow.localstack;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stemflow.service.OwnerOnly;
import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.service.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * What a running local stack tells the tools that want to find it, written to
 * {@code <dataDir>/stack.json}: every service's address and, for the local emulator only, its API
 * key (a local stand-in, never a real provider key).
 */
public record StackInfo(String bootstrapServers, String schemaRegistryUrl, String dataDir, long pid,
                        Instant startedAt, Map<String, String> services, Map<String, String> credentials) {

    /** Key in {@link #credentials()} of the viewer token's file (its path: the token stays in the file). */
    public static final String VIEWER_TOKEN_FILE = "viewer-token-file";
    /** Key in {@link #credentials()} of the operator token's file (its path: the token stays in the file). */
    public static final String OPERATOR_TOKEN_FILE = "operator-token-file";
    /** Key in {@link #credentials()} of the schema registry user the CLI and the demo use (an admin). */
    public static final String REGISTRY_USER = "schema-registry-user";
    /** Key in {@link #credentials()} of that user's password file (its path: the password stays in the file). */
    public static final String REGISTRY_PASSWORD_FILE = "schema-registry-password-file";

    private static final ObjectMapper JSON = new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The stack's schema registry with the credentials this file names ({@link #REGISTRY_USER},
     * {@link #REGISTRY_PASSWORD_FILE}), read as the services read theirs; without credentials when it names none.
     *
     * @throws IllegalStateException naming the file when the password file cannot be read
     */
    @JsonIgnore
    public RegistryConnection registry() {
        final RegistryConnection plain = RegistryConnection.of(schemaRegistryUrl);
        final Map<String, String> named = credentials == null ? Map.of() : credentials;
        if (named.get(REGISTRY_USER) == null || named.get(REGISTRY_PASSWORD_FILE) == null) {
            return plain;
        }
        final Settings settings = new Settings("local stack", Map.of(
                RegistryConnection.ENV_USER, named.get(REGISTRY_USER),
                RegistryConnection.ENV_PASSWORD_FILE, named.get(REGISTRY_PASSWORD_FILE)));
        final RegistryAuth auth = RegistryConnection.auth(settings);
        if (!settings.problems().isEmpty()) {
            throw new IllegalStateException(String.join("; ", settings.problems()));
        }
        return plain.withAuth(auth);
    }

    /** Writes atomically and owner-only (0600: it holds the emulator's key), so a reader never sees half a file. */
    public void writeTo(final Path file) {
        try {
            Files.createDirectories(file.getParent());
            OwnerOnly.writeString(file, JSON.writeValueAsString(this));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    public static StackInfo readFrom(final Path file) {
        try {
            return JSON.readValue(file.toFile(), StackInfo.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the local stack's address file " + file, e);
        }
    }
}
