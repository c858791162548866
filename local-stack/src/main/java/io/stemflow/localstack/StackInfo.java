package io.stemflow.localstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stemflow.service.OwnerOnly;
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

    private static final ObjectMapper JSON = new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

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
