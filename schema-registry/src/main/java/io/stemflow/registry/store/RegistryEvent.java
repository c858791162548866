package io.stemflow.registry.store;

import io.stemflow.compat.CompatibilityLevel;
import java.util.Objects;

/**
 * One change of the registry, as written to the store's append-only log. Replaying the log from the
 * start, in order, rebuilds the registry's state.
 *
 * <p>Every event has a compaction key ({@link EventCodec}): the latest event per key is all the state
 * needs, and a removal is a tombstone on its key.
 */
public sealed interface RegistryEvent {

    /** A version of a subject exists, live or soft-deleted. Key: (subject, version). */
    record SchemaVersionWritten(String subject, int version, int id, String schema, boolean deleted)
            implements RegistryEvent {
        public SchemaVersionWritten {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(schema, "schema");
            if (version < 1 || id < 1) {
                throw new IllegalArgumentException("version and id must be positive, got version " + version
                        + " and id " + id + " for subject '" + subject + "'");
            }
        }
    }

    /** A version was permanently deleted. Tombstone on key (subject, version). */
    record SchemaVersionRemoved(String subject, int version) implements RegistryEvent {
        public SchemaVersionRemoved {
            Objects.requireNonNull(subject, "subject");
        }
    }

    /** The compatibility level was set, globally when {@code subject} is null. Key: (subject or global). */
    record CompatibilitySet(String subject, CompatibilityLevel level) implements RegistryEvent {
        public CompatibilitySet {
            Objects.requireNonNull(level, "level");
        }

        public static CompatibilitySet global(final CompatibilityLevel level) {
            return new CompatibilitySet(null, level);
        }
    }

    /** A subject's own compatibility level was removed. Tombstone on key (subject). */
    record CompatibilityCleared(String subject) implements RegistryEvent {
        public CompatibilityCleared {
            Objects.requireNonNull(subject, "subject");
        }
    }

    /**
     * The highest id handed out so far. Written before every permanent delete, so that the id counter
     * survives compaction removing the deleted schema's records. Key: one constant key.
     */
    record IdWatermark(int maxId) implements RegistryEvent {
    }
}
