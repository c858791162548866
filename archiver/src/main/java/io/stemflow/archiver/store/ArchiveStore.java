package io.stemflow.archiver.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where archived stems are kept: a folder ({@link FileSystemStore}) or an S3-compatible bucket. Keys are
 * {@link io.stemflow.archiver.ArchiveKey} paths, segments separated by {@code /}.
 *
 * <p>Every implementation stores an object whole or not at all: a reader (and {@link #find}) never sees half a
 * file, whatever happens to the process while it writes.
 */
public interface ArchiveStore {

    /** The object stored under {@code key} with its metadata, or empty if there is none (its bytes are not read). */
    Optional<StoredObject> find(String key) throws IOException;

    /**
     * Stores {@code file} under {@code key} with its metadata, replacing whatever was stored there.
     *
     * @param file     the stem's bytes; a store may move it away (the caller must not use it afterwards, only delete
     *                 it if it is still there)
     * @param metadata what the object carries; its size and checksum are those of {@code file}
     */
    StoredObject put(String key, Path file, StemMetadata metadata) throws IOException;

    /**
     * Stores a small payload (a batch's manifest) under {@code key}, whole or not at all like {@link #put},
     * replacing whatever was stored there. It carries no stem metadata, so {@link #find} does not report it.
     *
     * @param contentType the payload's media type ({@code text/csv; charset=utf-8})
     * @return where it is ({@link #location})
     */
    URI putBytes(String key, byte[] content, String contentType) throws IOException;

    /** Copies the bytes stored under {@code key} to {@code target} (replaced if it exists). */
    void copyTo(String key, Path target) throws IOException;

    /** Where the object under {@code key} is, as its users would name it ({@code file:} or {@code s3:} URI). */
    URI location(String key);
}
