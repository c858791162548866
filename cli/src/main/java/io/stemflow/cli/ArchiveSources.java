package io.stemflow.cli;

import io.stemflow.archiver.ArchiverConfig;
import io.stemflow.archiver.store.S3Store;
import io.stemflow.service.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Reads archived files where the archiver put them: a {@code file:} location directly, an {@code s3://bucket/key}
 * location through an {@link S3Store} of that bucket (one per bucket, made on first use), signed in with the
 * archiver's own settings ({@link #s3Access}).
 */
final class ArchiveSources implements AutoCloseable {

    /** The size and SHA-256 (64 lower-case hex digits) of bytes copied. */
    record Copied(long size, String sha256) {
    }

    /**
     * Reads how the archive's S3 store is reached: the archiver's {@code STEMFLOW_ARCHIVE_S3_*} settings with its
     * defaults ({@link ArchiverConfig.S3Access}); the bucket and key come from each location.
     *
     * @throws CliException exit 5 naming every bad variable (never a secret)
     */
    static ArchiverConfig.S3Access s3Access(final Map<String, String> env) {
        final Settings r = new Settings("stemflow", env);
        final java.util.Optional<ArchiverConfig.S3Access> access = ArchiverConfig.S3Access.read(r);
        if (!r.problems().isEmpty() || access.isEmpty()) {
            throw new CliException(CliException.NOT_CONFIGURED, String.join("; ", r.problems()));
        }
        return access.get();
    }

    private static final int BUFFER = 256 * 1024;

    private final ArchiverConfig.S3Access s3;
    private final Map<String, S3Store> buckets = new HashMap<>();

    ArchiveSources(final ArchiverConfig.S3Access s3) {
        this.s3 = Objects.requireNonNull(s3, "s3");
    }

    /**
     * Copies the bytes at {@code location} into {@code target} (created or replaced), telling {@code progress} how
     * many bytes were written as they are, and returns their size and SHA-256 as written.
     *
     * @throws IOException naming the location when it cannot be read, or is neither {@code file:} nor {@code s3:}
     */
    Copied copy(final String location, final Path target, final LongConsumer progress) throws IOException {
        final URI uri;
        try {
            uri = URI.create(location);
        } catch (IllegalArgumentException e) {
            throw new IOException("the location '" + location + "' is not a URI");
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file" -> {
                final Path file;
                try {
                    file = Path.of(uri);
                } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                    throw new IOException("the location '" + location + "' is not a file on this machine");
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return write(in, target, progress);
                }
            }
            case "s3" -> {
                final String bucket = uri.getAuthority();
                final String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
                if (bucket == null || key.isEmpty()) {
                    throw new IOException("the location '" + location + "' names no bucket and key");
                }
                try (InputStream in = store(bucket).open(key)) {
                    return write(in, target, progress);
                }
            }
            default -> throw new IOException("the location '" + location + "' is neither a file: nor an s3: URI");
        }
    }

    /** The size and SHA-256 of a file, read whole, telling {@code progress} how many bytes were read as they are. */
    static Copied digest(final Path file, final LongConsumer progress) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return write(in, null, progress);
        }
    }

    private S3Store store(final String bucket) throws IOException {
        S3Store store = buckets.get(bucket);
        if (store == null) {
            try {
                store = S3Store.create(s3.forBucket(bucket, ""));
            } catch (IllegalArgumentException e) {
                // S3StoreConfig's and S3Store's messages name the setting or file, never the secret
                throw new IOException("cannot open the S3 bucket '" + bucket + "': " + e.getMessage(), e);
            }
            buckets.put(bucket, store);
        }
        return store;
    }

    /** Reads {@code in} to its end, writing it to {@code target} unless null, and digests what was read. */
    private static Copied write(final InputStream in, final Path target, final LongConsumer progress)
            throws IOException {
        final MessageDigest sha256 = sha256();
        final byte[] buffer = new byte[BUFFER];
        long size = 0;
        try (OutputStream out = new DigestOutputStream(target == null ? OutputStream.nullOutputStream()
                : Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE), sha256)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                size += n;
                progress.accept(n);
            }
        }
        return new Copied(size, HexFormat.of().formatHex(sha256.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** Closes the S3 clients. */
    @Override
    public void close() {
        buckets.values().forEach(S3Store::close);
        buckets.clear();
    }
}
