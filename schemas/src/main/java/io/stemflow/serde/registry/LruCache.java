package io.stemflow.serde.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A bounded, thread-safe map that evicts the least recently used entry once it holds {@code
 * capacity} entries. Loading happens outside the lock (callers {@code get}, compute, then {@code
 * put}), so a slow registry call never blocks readers of other keys; two threads may load the same
 * key at once, which is harmless because registry answers are immutable.
 */
public final class LruCache<K, V> {

    private final int capacity;
    private final Map<K, V> entries;

    public LruCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("Cache capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
        this.entries =
                new LinkedHashMap<>(Math.min(capacity, 64), 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                        return size() > LruCache.this.capacity;
                    }
                };
    }

    /** The cached value, or {@code null}; marks the entry as recently used. */
    public synchronized V get(K key) {
        return entries.get(Objects.requireNonNull(key, "key"));
    }

    public synchronized void put(K key, V value) {
        entries.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    public synchronized void remove(K key) {
        entries.remove(key);
    }

    public synchronized int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }
}
