package io.stemflow.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a secret comes from: an environment variable (fixed for the process) or a file, read by the
 * {@link SecretFile} rule and read again when it changes on disk (a rotated key is picked up without a restart;
 * a file that becomes unreadable or holds no value keeps the last good value and logs a warning that names the
 * file, never the value).
 */
public final class SecretSource implements Supplier<Secret> {

    private static final Logger LOG = LoggerFactory.getLogger(SecretSource.class);

    private final String name;
    private final Path file;
    private final Function<String, Secret> make;
    private Secret current;
    private FileTime readAt;
    private long size;

    private SecretSource(final String name, final Path file, final Function<String, Secret> make,
                         final Secret current) {
        this.name = name;
        this.file = file;
        this.make = make;
        this.current = current;
    }

    /** A secret given as a value (from an environment variable). */
    public static SecretSource fixed(final String name, final Secret secret) {
        return new SecretSource(name, null, null, Objects.requireNonNull(secret, "secret"));
    }

    /**
     * A secret read from {@code file} by the {@link SecretFile} rule, checked as {@link Secret#of(String, String)}.
     *
     * @throws IllegalArgumentException naming {@code name} and the file when it cannot be read or holds no value
     */
    public static SecretSource file(final String name, final Path file) {
        final String what = name + " (file " + file + ")";
        final SecretSource source = new SecretSource(name, Objects.requireNonNull(file, "file"),
                value -> Secret.of(what, value), null);
        source.current = source.read();
        return source;
    }

    /** The current secret; for a file, re-read when the file's modification time or size changed. */
    @Override
    public synchronized Secret get() {
        if (file != null) {
            try {
                final FileTime modified = Files.getLastModifiedTime(file);
                final long newSize = Files.size(file);
                if (!modified.equals(readAt) || newSize != size) {
                    current = read();
                    LOG.info("{} re-read from {} (key id {})", name, file, current.id());
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("{}: cannot re-read {} ({}); keeping the previous value", name, file, e.getMessage());
            }
        }
        return current;
    }

    /** Where the secret comes from, for logs: the variable or the file, never the value. */
    public String describe() {
        return file == null ? name : name + " from file " + file;
    }

    private Secret read() {
        try {
            final FileTime modified = Files.getLastModifiedTime(file);
            final long newSize = Files.size(file);
            final Secret secret = make.apply(SecretFile.firstValue(name + "_FILE", file));
            readAt = modified;
            size = newSize;
            return secret;
        } catch (IOException e) {
            throw new IllegalArgumentException(name + "_FILE points to a file that cannot be read: " + file + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + ", value hidden]";
    }
}
