package io.stemflow.registry.state;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.store.RegistryEvent;
import io.stemflow.registry.store.RegistryEvent.CompatibilityCleared;
import io.stemflow.registry.store.RegistryEvent.CompatibilitySet;
import io.stemflow.registry.store.RegistryEvent.IdWatermark;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionRemoved;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionWritten;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry's state, as the events of the log leave it. Not thread-safe: {@link RegistryService}
 * guards it with its lock.
 *
 * <p>Invariants: an id names exactly one schema and a schema has at most one id while any version
 * (live or soft-deleted) refers to it; {@link #nextId()} is above every id ever seen in the log,
 * including those of permanently deleted versions (through {@link IdWatermark}), so ids are never reused.
 */
public final class RegistryState {

    private final CompatibilityLevel defaultLevel;
    private final Map<String, NavigableMap<Integer, SchemaVersion>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private final Map<Integer, Integer> referencesById = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    public RegistryState(final CompatibilityLevel defaultLevel) {
        this.defaultLevel = Objects.requireNonNull(defaultLevel, "defaultLevel");
    }

    /**
     * Applies one event of the log.
     *
     * @throws IllegalStateException when the event contradicts the state (one id for two schemas), which
     *     only happens when two registries wrote to the same log
     */
    public void apply(final RegistryEvent event) {
        if (event instanceof SchemaVersionWritten written) {
            applyWritten(written);
        } else if (event instanceof SchemaVersionRemoved removed) {
            applyRemoved(removed.subject(), removed.version());
        } else if (event instanceof CompatibilitySet set) {
            if (set.subject() == null) {
                globalLevel = set.level();
            } else {
                subjectLevels.put(set.subject(), set.level());
            }
        } else if (event instanceof CompatibilityCleared cleared) {
            subjectLevels.remove(cleared.subject());
        } else if (event instanceof IdWatermark watermark) {
            maxId = Math.max(maxId, watermark.maxId());
        } else {
            throw new IllegalArgumentException("Unknown registry event " + event);
        }
    }

    private void applyWritten(final SchemaVersionWritten event) {
        final String knownSchema = schemaById.get(event.id());
        final Integer knownId = idBySchema.get(event.schema());
        final SchemaVersion previous = versionsOf(event.subject()).get(event.version());
        final boolean sameAsPrevious = previous != null && previous.id() == event.id();
        final String contradiction;
        if (previous != null && !sameAsPrevious) {
            contradiction = "that version already has id " + previous.id();
        } else if (knownSchema != null && !knownSchema.equals(event.schema())) {
            contradiction = "id " + event.id() + " already names another schema";
        } else if (knownId != null && knownId != event.id()) {
            contradiction = "the same schema already has id " + knownId;
        } else {
            contradiction = null;
        }
        if (contradiction != null) {
            throw new IllegalStateException("Subject '" + event.subject() + "' version " + event.version()
                    + " with id " + event.id() + " contradicts the log read so far (" + contradiction
                    + "): has another registry written to the same store?");
        }
        subjects.computeIfAbsent(event.subject(), s -> new TreeMap<>()).put(event.version(),
                new SchemaVersion(event.subject(), event.version(), event.id(), event.schema(), event.deleted()));
        if (!sameAsPrevious) {
            schemaById.put(event.id(), event.schema());
            idBySchema.put(event.schema(), event.id());
            referencesById.merge(event.id(), 1, Integer::sum);
        }
        maxId = Math.max(maxId, event.id());
    }

    private void applyRemoved(final String subject, final int version) {
        final NavigableMap<Integer, SchemaVersion> versions = subjects.get(subject);
        if (versions == null) {
            return;
        }
        final SchemaVersion removed = versions.remove(version);
        if (versions.isEmpty()) {
            subjects.remove(subject);
        }
        if (removed != null && referencesById.merge(removed.id(), -1, Integer::sum) == 0) {
            referencesById.remove(removed.id());
            idBySchema.remove(schemaById.remove(removed.id()));
        }
    }

    /** The id of a schema (normalised form) that some version, live or soft-deleted, refers to. */
    public Optional<Integer> idOf(final String normalisedSchema) {
        return Optional.ofNullable(idBySchema.get(normalisedSchema));
    }

    /** The schema with this id, if some version, live or soft-deleted, refers to it. */
    public Optional<String> schemaById(final int id) {
        return Optional.ofNullable(schemaById.get(id));
    }

    /** The id the next new schema gets: above every id the log has ever held. */
    public int nextId() {
        return maxId + 1;
    }

    /** The highest id the log has ever held, 0 when none. */
    public int maxId() {
        return maxId;
    }

    /** Subject names in order; with {@code includeDeleted}, also subjects whose versions are all soft-deleted. */
    public List<String> subjects(final boolean includeDeleted) {
        final List<String> names = new ArrayList<>();
        subjects.forEach((name, versions) -> {
            if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
                names.add(name);
            }
        });
        return names;
    }

    /** The versions of a subject, oldest first; soft-deleted ones only with {@code includeDeleted}. */
    public List<SchemaVersion> versions(final String subject, final boolean includeDeleted) {
        return versionsOf(subject).values().stream().filter(v -> includeDeleted || !v.deleted()).toList();
    }

    /** Every version, of any subject, that refers to {@code id}. */
    public List<SchemaVersion> versionsWithId(final int id, final boolean includeDeleted) {
        final List<SchemaVersion> found = new ArrayList<>();
        subjects.values().forEach(versions -> versions.values().stream()
                .filter(v -> v.id() == id && (includeDeleted || !v.deleted()))
                .forEach(found::add));
        return found;
    }

    /** The highest version number of a subject, soft-deleted versions included; 0 when it has none. */
    public int maxVersion(final String subject) {
        final NavigableMap<Integer, SchemaVersion> versions = versionsOf(subject);
        return versions.isEmpty() ? 0 : versions.lastKey();
    }

    /** The global level: as last set, else the registry's default. */
    public CompatibilityLevel globalLevel() {
        return globalLevel == null ? defaultLevel : globalLevel;
    }

    /** The subject's own level, if one was set. */
    public Optional<CompatibilityLevel> subjectLevel(final String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** The level that applies to the subject: its own, else the global one. */
    public CompatibilityLevel effectiveLevel(final String subject) {
        return subjectLevel(subject).orElseGet(this::globalLevel);
    }

    private NavigableMap<Integer, SchemaVersion> versionsOf(final String subject) {
        return subjects.getOrDefault(subject, new TreeMap<>());
    }
}
