package io.stemflow.registry.store;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A store that keeps its log in memory: for tests and throw-away local runs. Thread-safe. */
public final class InMemorySchemaStore implements SchemaStore {

    private final List<RegistryEvent> log = new ArrayList<>();

    public InMemorySchemaStore() {
    }

    /** A store whose log already holds {@code events}, e.g. a log as compaction would leave it. */
    public InMemorySchemaStore(final List<RegistryEvent> events) {
        log.addAll(events);
    }

    @Override
    public synchronized void replay(final Consumer<RegistryEvent> sink) {
        List.copyOf(log).forEach(sink);
    }

    @Override
    public synchronized void append(final List<RegistryEvent> events) {
        log.addAll(events);
    }

    /** A copy of the log, oldest first. */
    public synchronized List<RegistryEvent> events() {
        return List.copyOf(log);
    }

    @Override
    public String describe() {
        return "in-memory store";
    }

    @Override
    public void close() {
        // nothing to release
    }
}
