package io.stemflow.emulator.task;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Accepted tasks by provider task id and by file token (original and fresh ones), plus the acceptance sequence. */
public final class TaskRegistry {

    private final Map<String, EmulatedTask> byId = new ConcurrentHashMap<>();
    private final Map<String, EmulatedTask> byFileToken = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** Sequence number for the next accepted task (0, 1, 2, ...). */
    public long nextSequence() {
        return sequence.getAndIncrement();
    }

    public void add(final EmulatedTask task) {
        byId.put(task.id(), task);
        byFileToken.put(task.plan().fileToken(), task);
    }

    /** Makes a fresh file token of {@code task} servable. */
    public void addLink(final String fileToken, final EmulatedTask task) {
        byFileToken.put(fileToken, task);
    }

    /** Every accepted task (a live view, in no particular order). */
    public Collection<EmulatedTask> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    public Optional<EmulatedTask> byId(final String taskId) {
        return Optional.ofNullable(byId.get(taskId));
    }

    public Optional<EmulatedTask> byFileToken(final String token) {
        return Optional.ofNullable(byFileToken.get(token));
    }

    public int size() {
        return byId.size();
    }
}
