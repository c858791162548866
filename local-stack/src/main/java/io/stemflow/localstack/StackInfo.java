package io.stemflow.localstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;

/**
 * What a running local stack tells the tools that want to find it, written to
 * {@code <dataDir>/stack.json}: every service's address and, for the local emulator only, its API
 * key (a local stand-in, never a real provider key).
 */
public record StackInfo(String bootstrapServers, String schemaRegistryUrl, String dataDir, long pid,
                        Instant startedAt, Map<String, String> services, Map<String, String> credentials) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes atomically, so a reader never sees half a file. */
    public void writeTo(final Path file) {
        try {
            Files.createDirectories(file.getParent());
            final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
