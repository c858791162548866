package io.stemflow.registry.store;

import java.util.List;
import java.util.function.Consumer;

/**
 * The registry's durable, append-only log of {@link RegistryEvent}s. The registry keeps its state in
 * memory and rebuilds it by replaying the log; the store itself holds no interpreted state.
 *
 * <p>Single writer: a registry calls {@link #append} from one thread at a time.
 */
public interface SchemaStore extends AutoCloseable {

    /**
     * Feeds every event of the log to {@code sink}, oldest first, up to the end of the log as it is when
     * the call starts.
     *
     * @throws StoreException when the log cannot be read to its end in time
     */
    void replay(Consumer<RegistryEvent> sink);

    /**
     * Appends {@code events} atomically and durably, in order, and returns only once the backend has
     * acknowledged all of them.
     *
     * @throws StoreException when the outcome is a failure or unknown
     */
    void append(List<RegistryEvent> events);

    /** A human-readable description of where the log lives, for logs and error messages. */
    String describe();

    @Override
    void close();
}
