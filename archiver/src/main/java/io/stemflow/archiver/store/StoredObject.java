package io.stemflow.archiver.store;

import java.net.URI;
import java.util.Objects;

/**
 * An object in the archive.
 *
 * @param key      its key in the store
 * @param location where it is ({@link ArchiveStore#location})
 * @param metadata what it carries
 */
public record StoredObject(String key, URI location, StemMetadata metadata) {

    public StoredObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(metadata, "metadata");
    }

    /** Whether this object holds exactly the bytes described by {@code sha256} and {@code size}. */
    public boolean holds(final String sha256, final long size) {
        return metadata.sha256().equals(sha256) && metadata.size() == size;
    }
}
