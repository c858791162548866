package io.stemflow.registry.state;

import io.stemflow.registry.ErrorCode;
import io.stemflow.registry.RegistryException;
import io.stemflow.compat.CompatibilityChecker;
import io.stemflow.compat.CompatibilityChecker.Earlier;
import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.store.RegistryEvent;
import io.stemflow.registry.store.RegistryEvent.CompatibilityCleared;
import io.stemflow.registry.store.RegistryEvent.CompatibilitySet;
import io.stemflow.registry.store.RegistryEvent.IdWatermark;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionRemoved;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionWritten;
import io.stemflow.registry.store.SchemaStore;
import io.stemflow.registry.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's operations, with the semantics of the Confluent Schema Registry API.
 *
 * <p>Thread-safe. Reads share a read lock; every write holds the write lock from reading the state to
 * applying its events, so concurrent registrations are serialised and never hand out an id twice. A write
 * is applied to the state only after the store acknowledged it. When the store's outcome is unknown the
 * state is marked stale and rebuilt from the log before the next write.
 */
public final class RegistryService {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryService.class);

    /** A subject and version that refer to an id. */
    public record SubjectVersion(String subject, int version) {
    }

    private final SchemaStore store;
    private final CompatibilityLevel defaultLevel;
    private final CompatibilityChecker checker = new CompatibilityChecker();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private RegistryState state;
    private boolean stale;

    private RegistryService(final SchemaStore store, final CompatibilityLevel defaultLevel) {
        this.store = store;
        this.defaultLevel = defaultLevel;
        this.state = replay();
    }

    /**
     * Builds the state by replaying the whole log of {@code store}.
     *
     * @throws StoreException when the log cannot be read
     * @throws IllegalStateException when the log contradicts itself (two writers)
     */
    public static RegistryService load(final SchemaStore store, final CompatibilityLevel defaultLevel) {
        return new RegistryService(Objects.requireNonNull(store, "store"),
                Objects.requireNonNull(defaultLevel, "defaultLevel"));
    }

    // ---------------------------------------------------------------- writes

    /** Registers {@code schemaText} under {@code subject}, or returns the id it already has there. */
    public int register(final String subject, final String schemaText) {
        final ParsedSchema parsed = ParsedSchema.parse(schemaText);
        return write(() -> {
            final List<SchemaVersion> live = state.versions(subject, false);
            final Optional<SchemaVersion> existing =
                    live.stream().filter(v -> v.schema().equals(parsed.normalised())).findFirst();
            if (existing.isPresent()) {
                return new Write<>(existing.get().id(), List.of());
            }
            final CompatibilityChecker.Result result =
                    checker.check(state.effectiveLevel(subject), parsed.schema(), earlier(live));
            if (!result.compatible()) {
                throw new RegistryException(ErrorCode.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                + "\", details: " + result.messages());
            }
            final int id = state.idOf(parsed.normalised()).orElseGet(state::nextId);
            final int version = state.maxVersion(subject) + 1;
            LOG.info("Registering subject '{}' version {} with schema id {}", subject, version, id);
            return new Write<>(id, List.of(new SchemaVersionWritten(subject, version, id, parsed.normalised(), false)));
        });
    }

    /** Soft-deletes every live version of a subject, or permanently deletes a soft-deleted subject. */
    public List<Integer> deleteSubject(final String subject, final boolean permanent) {
        return write(() -> {
            final List<SchemaVersion> all = state.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            final List<SchemaVersion> live = all.stream().filter(v -> !v.deleted()).toList();
            final List<RegistryEvent> events = new ArrayList<>();
            if (!permanent) {
                if (live.isEmpty()) {
                    throw new RegistryException(ErrorCode.SUBJECT_SOFT_DELETED, "Subject '" + subject
                            + "' was soft deleted. Set permanent=true to delete permanently");
                }
                live.forEach(v -> events.add(softDeleted(v)));
                return new Write<>(numbers(live), events);
            }
            if (!live.isEmpty()) {
                throw new RegistryException(ErrorCode.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                        + "' was not deleted first before being permanently deleted");
            }
            events.add(new IdWatermark(state.maxId()));
            all.forEach(v -> events.add(new SchemaVersionRemoved(subject, v.version())));
            if (state.subjectLevel(subject).isPresent()) {
                events.add(new CompatibilityCleared(subject));
            }
            return new Write<>(numbers(all), events);
        });
    }

    /** Soft-deletes a live version, or permanently deletes a soft-deleted one; returns its number. */
    public int deleteVersion(final String subject, final VersionRef ref, final boolean permanent) {
        return write(() -> {
            final List<SchemaVersion> all = state.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            if (!permanent) {
                final SchemaVersion target = find(state.versions(subject, false), ref)
                        .orElseThrow(() -> find(all, ref).isPresent()
                                ? new RegistryException(ErrorCode.VERSION_SOFT_DELETED, "Subject '" + subject
                                        + "' Version " + ref + " was soft deleted. Set permanent=true to delete permanently")
                                : RegistryException.versionNotFound(subject, ref.toString()));
                return new Write<>(target.version(), List.of(softDeleted(target)));
            }
            final SchemaVersion target = find(all, ref)
                    .orElseThrow(() -> RegistryException.versionNotFound(subject, ref.toString()));
            if (!target.deleted()) {
                throw new RegistryException(ErrorCode.VERSION_NOT_SOFT_DELETED, "Subject '" + subject + "' Version "
                        + target.version() + " was not deleted first before being permanently deleted");
            }
            return new Write<>(target.version(), List.of(new IdWatermark(state.maxId()),
                    new SchemaVersionRemoved(subject, target.version())));
        });
    }

    /** Sets the global level; returns it. */
    public CompatibilityLevel setGlobalLevel(final CompatibilityLevel level) {
        return write(() -> new Write<>(level, List.of(CompatibilitySet.global(level))));
    }

    /** Sets a subject's own level; returns it. */
    public CompatibilityLevel setSubjectLevel(final String subject, final CompatibilityLevel level) {
        return write(() -> new Write<>(level, List.of(new CompatibilitySet(subject, level))));
    }

    /** Removes a subject's own level; returns the level it had. */
    public CompatibilityLevel clearSubjectLevel(final String subject) {
        return write(() -> {
            final CompatibilityLevel level = state.subjectLevel(subject).orElseThrow(() -> notConfigured(subject));
            return new Write<>(level, List.of(new CompatibilityCleared(subject)));
        });
    }

    // ---------------------------------------------------------------- reads

    /** The version of {@code subject} that holds {@code schemaText}. */
    public SchemaVersion lookup(final String subject, final String schemaText, final boolean includeDeleted) {
        final ParsedSchema parsed = ParsedSchema.parse(schemaText);
        return read(() -> {
            final List<SchemaVersion> versions = existingVersions(subject, includeDeleted);
            return versions.stream().filter(v -> v.schema().equals(parsed.normalised())).reduce((a, b) -> b)
                    .orElseThrow(() -> RegistryException.schemaNotFound("under subject '" + subject + "'"));
        });
    }

    public List<String> subjects(final boolean includeDeleted) {
        return read(() -> state.subjects(includeDeleted));
    }

    public List<Integer> versions(final String subject, final boolean includeDeleted) {
        return read(() -> numbers(existingVersions(subject, includeDeleted)));
    }

    public SchemaVersion version(final String subject, final VersionRef ref, final boolean includeDeleted) {
        return read(() -> find(existingVersions(subject, includeDeleted), ref)
                .orElseThrow(() -> RegistryException.versionNotFound(subject, ref.toString())));
    }

    public String schemaById(final int id) {
        return read(() -> state.schemaById(id).orElseThrow(() -> RegistryException.schemaNotFound("id " + id)));
    }

    public List<SubjectVersion> subjectVersionsOf(final int id, final boolean includeDeleted) {
        return read(() -> {
            if (state.schemaById(id).isEmpty()) {
                throw RegistryException.schemaNotFound("id " + id);
            }
            return state.versionsWithId(id, includeDeleted).stream()
                    .map(v -> new SubjectVersion(v.subject(), v.version())).toList();
        });
    }

    /** Checks {@code schemaText} against the versions the subject's level names; compatible for a new subject. */
    public CompatibilityChecker.Result checkAgainstLevel(final String subject, final String schemaText) {
        final ParsedSchema parsed = ParsedSchema.parse(schemaText);
        return read(() -> checker.check(state.effectiveLevel(subject), parsed.schema(),
                earlier(state.versions(subject, false))));
    }

    /** Checks {@code schemaText} against one version, in the direction(s) the subject's level names. */
    public CompatibilityChecker.Result checkAgainstVersion(final String subject, final VersionRef ref,
                                                           final String schemaText) {
        final ParsedSchema parsed = ParsedSchema.parse(schemaText);
        return read(() -> {
            final SchemaVersion target = find(existingVersions(subject, false), ref)
                    .orElseThrow(() -> RegistryException.versionNotFound(subject, ref.toString()));
            return checker.check(state.effectiveLevel(subject), parsed.schema(), earlier(List.of(target)));
        });
    }

    public CompatibilityLevel globalLevel() {
        return read(() -> state.globalLevel());
    }

    /** The subject's own level; with {@code defaultToGlobal} the global level when it has none. */
    public CompatibilityLevel subjectLevel(final String subject, final boolean defaultToGlobal) {
        return read(() -> state.subjectLevel(subject).or(() -> defaultToGlobal
                ? Optional.of(state.globalLevel()) : Optional.empty()).orElseThrow(() -> notConfigured(subject)));
    }

    // ---------------------------------------------------------------- internals

    /** What a write answers, and the events that must be stored before it may answer. */
    private record Write<T>(T answer, List<RegistryEvent> events) {
    }

    private <T> T write(final Supplier<Write<T>> operation) {
        lock.writeLock().lock();
        try {
            if (stale) {
                LOG.warn("Rebuilding registry state from {} after an earlier store failure", store.describe());
                state = replay();
                stale = false;
            }
            final Write<T> write = operation.get();
            if (!write.events().isEmpty()) {
                store.append(write.events());
                write.events().forEach(state::apply);
            }
            return write.answer();
        } catch (StoreException e) {
            stale = true;
            LOG.error("Store {} failed; state will be rebuilt from the log before the next write", store.describe(), e);
            throw new RegistryException(e.timeout() ? ErrorCode.OPERATION_TIMEOUT : ErrorCode.STORE_ERROR,
                    (e.timeout() ? "Operation timed out in the backend data store: " : "Error in the backend data store: ")
                            + e.getMessage(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private <T> T read(final Supplier<T> query) {
        lock.readLock().lock();
        try {
            return query.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private RegistryState replay() {
        final RegistryState fresh = new RegistryState(defaultLevel);
        store.replay(fresh::apply);
        return fresh;
    }

    private List<SchemaVersion> existingVersions(final String subject, final boolean includeDeleted) {
        final List<SchemaVersion> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private static Optional<SchemaVersion> find(final List<SchemaVersion> versions, final VersionRef ref) {
        if (ref.isLatest()) {
            return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
        }
        return versions.stream().filter(v -> v.version() == ref.number()).findFirst();
    }

    private static SchemaVersionWritten softDeleted(final SchemaVersion v) {
        return new SchemaVersionWritten(v.subject(), v.version(), v.id(), v.schema(), true);
    }

    private static List<Integer> numbers(final List<SchemaVersion> versions) {
        return versions.stream().map(SchemaVersion::version).toList();
    }

    private static List<Earlier> earlier(final List<SchemaVersion> versions) {
        return versions.stream().map(v -> new Earlier(v.version(), new Schema.Parser().parse(v.schema()))).toList();
    }

    private static RegistryException notConfigured(final String subject) {
        return new RegistryException(ErrorCode.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }
}
