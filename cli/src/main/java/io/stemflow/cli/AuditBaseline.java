package io.stemflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code stemflow audit --baseline} reconciles from: the provider's balance, and the end offsets of
 * separation-submissions and credit-ledger (partition to offset), when it was taken. Never holds the API key.
 */
record AuditBaseline(Instant takenAt, String providerUrl, long balance, Map<String, Map<Integer, Long>> endOffsets) {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    Map<Integer, Long> offsets(final String topic) {
        return endOffsets.getOrDefault(topic, Map.of());
    }

    /** Creates the file, readable and writable by its owner only; fails when it exists. */
    void write(final Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        } catch (FileAlreadyExistsException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "baseline " + file + " appeared while it was taken");
        } catch (IOException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "cannot write the baseline " + file + ": " + e);
        }
    }

    static AuditBaseline read(final Path file) {
        try {
            final AuditBaseline b = JSON.readValue(file.toFile(), AuditBaseline.class);
            if (b.takenAt() == null || b.endOffsets() == null) {
                throw new IOException("takenAt or endOffsets missing");
            }
            return new AuditBaseline(b.takenAt(), b.providerUrl(), b.balance(), new HashMap<>(b.endOffsets()));
        } catch (IOException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "cannot read the baseline " + file + ": "
                    + e.getMessage());
        }
    }
}
