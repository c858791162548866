package io.stemflow.localstack;

import io.stemflow.service.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The local emulator's seed when {@code dev --seed} does not give one: drawn from {@link SecureRandom} the
 * first time a data directory is used and kept in {@code secrets/emulator-seed} (0600), so the emulator's
 * task ids and file links cannot be guessed by anyone else, yet one data directory behaves the same after a
 * restart (its task ids stay distinct from those already issued).
 */
final class EmulatorSeed {

    static final String FILE = "emulator-seed";

    private EmulatorSeed() {
    }

    static long of(final Path dataDir) {
        final Path file = dataDir.resolve("secrets").resolve(FILE);
        try {
            if (Files.exists(file)) {
                return Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip());
            }
            OwnerOnly.directory(file.getParent());
            final long seed = new SecureRandom().nextLong();
            OwnerOnly.writeString(file, Long.toString(seed));
            return seed;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the emulator's seed file " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("The emulator's seed file " + file + " does not hold a number;"
                    + " delete it to draw a new seed", e);
        }
    }
}
