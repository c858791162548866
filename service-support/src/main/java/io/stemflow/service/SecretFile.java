package io.stemflow.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The one rule for a secret given as a file ({@code X_FILE}): the value is the first line that is neither blank
 * nor a {@code #} comment, with surrounding whitespace stripped; every other line is ignored. So a key file may
 * start with a comment saying what the key is for, and every service that reads the same file (the emulator
 * signing callbacks, the bridge verifying them, the gateway minting callback tokens) derives the same key.
 */
public final class SecretFile {

    private SecretFile() {
    }

    /**
     * @param setting the variable that named the file, for the error message (never the content)
     * @throws IllegalArgumentException naming {@code setting} and the file when it cannot be read or holds no value
     */
    public static String firstValue(final String setting, final Path file) {
        final List<String> values = values(setting, file);
        if (values.isEmpty()) {
            throw new IllegalArgumentException(setting + " points to a file without a value (only blank or # lines): "
                    + file);
        }
        return values.get(0);
    }

    /** Every line that is neither blank nor a {@code #} comment, stripped (a file listing several keys). */
    public static List<String> values(final String setting, final Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (final IOException e) {
            throw new IllegalArgumentException(setting + " points to a file that cannot be read: " + file + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }
}
