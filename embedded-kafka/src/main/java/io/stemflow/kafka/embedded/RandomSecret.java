package io.stemflow.kafka.embedded;

import io.stemflow.service.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** A password kept in a file of its own: made once (32 random bytes, URL-safe Base64), owner-only, read ever after. */
public final class RandomSecret {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomSecret() {
    }

    /** The secret in {@code file} (its first line), or a new one written there (0600) when the file does not exist. */
    public static String in(final Path file) {
        try {
            if (Files.exists(file)) {
                OwnerOnly.file(file);
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            OwnerOnly.directory(file.toAbsolutePath().getParent());
            final byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            final String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            OwnerOnly.writeString(file, value + "\n");
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the secret file " + file, e);
        }
    }
}
