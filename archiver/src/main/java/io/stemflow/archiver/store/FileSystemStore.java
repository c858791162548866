package io.stemflow.archiver.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * The archive as a folder: each stem a file at {@code root/key}, its metadata beside it in {@code key.json}.
 *
 * <p>{@link #put} takes the file it is given (moved, so a download on the same file system is not written twice).
 * Both are written to a temporary file in the same folder and moved into place atomically, the stem first and
 * its metadata second. So a reader never sees half a stem, and a stem whose metadata is missing (the process died
 * between the two moves) or names other bytes (it died while replacing them) is not {@link #find found}: it is
 * archived again rather than trusted.
 */
public final class FileSystemStore implements ArchiveStore {

    static final String METADATA_SUFFIX = ".json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public FileSystemStore(final Path root) throws IOException {
        this.root = Files.createDirectories(Objects.requireNonNull(root, "root")).toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public Optional<StoredObject> find(final String key) throws IOException {
        final Path object = path(key);
        final StemMetadata metadata;
        final long size;
        try {
            metadata = JSON.readValue(Files.readAllBytes(metadataOf(object)), StemMetadata.class);
            size = Files.size(object);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty(); // not metadata this store wrote whole: the stem is stored again over it
        }
        return metadata.size() == size ? Optional.of(new StoredObject(key, object.toUri(), metadata)) : Optional.empty();
    }

    @Override
    public StoredObject put(final String key, final Path file, final StemMetadata metadata) throws IOException {
        final Path object = path(key);
        final Path folder = Files.createDirectories(object.getParent());
        final Path partObject = Files.createTempFile(folder, ".put-", ".part");
        final Path partMetadata = Files.createTempFile(folder, ".put-", ".part");
        try {
            // renamed when the download and the archive share a file system (the stem written once), copied otherwise
            Files.move(file, partObject, StandardCopyOption.REPLACE_EXISTING);
            Files.write(partMetadata, JSON.writeValueAsBytes(metadata));
            move(partObject, object);
            move(partMetadata, metadataOf(object));
        } finally {
            Files.deleteIfExists(partObject);
            Files.deleteIfExists(partMetadata);
        }
        return new StoredObject(key, object.toUri(), metadata);
    }

    /**
     * {@inheritDoc} Written to a temporary file in the key's folder and moved into place atomically. No
     * {@code .json} metadata goes beside it (the content type is the file's extension's), so a payload key may
     * itself end with {@code .json} ({@code manifest.json}); it must not be a stem's metadata file.
     */
    @Override
    public URI putBytes(final String key, final byte[] content, final String contentType) throws IOException {
        final Path object = within(key);
        final Path folder = Files.createDirectories(object.getParent());
        final Path part = Files.createTempFile(folder, ".put-", ".part");
        try {
            Files.write(part, content);
            move(part, object);
        } finally {
            Files.deleteIfExists(part);
        }
        return object.toUri();
    }

    @Override
    public void copyTo(final String key, final Path target) throws IOException {
        Files.copy(path(key), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public URI location(final String key) {
        return path(key).toUri();
    }

    /** The file of {@code key}: always inside the root, whatever the key says, and never a metadata file. */
    private Path path(final String key) {
        if (key.endsWith(METADATA_SUFFIX)) {
            throw new IllegalArgumentException("not an archive key: " + key);
        }
        return within(key);
    }

    /** The file of {@code key}: always inside the root, whatever the key says. */
    private Path within(final String key) {
        final Path object = root.resolve(key).normalize();
        if (!object.startsWith(root) || object.equals(root)) {
            throw new IllegalArgumentException("not an archive key: " + key);
        }
        return object;
    }

    private static Path metadataOf(final Path object) {
        return object.resolveSibling(object.getFileName() + METADATA_SUFFIX);
    }

    private static void move(final Path from, final Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the archive folder " + to.getParent() + " cannot replace files atomically", e);
        }
    }
}
