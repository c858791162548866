package io.stemflow.pipeline.app;

import java.util.Set;
import java.util.TreeSet;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.TableFormatConfig;
import org.rocksdb.WriteBufferManager;

/**
 * One bound on the off-heap memory of every RocksDB store of a pipeline instance, as Kafka Streams' memory
 * management guide bounds it ({@code BoundedMemoryRocksDBConfig}): all stores read through one LRU block cache of
 * {@link #bytes()}, which also holds their index and filter blocks, and one {@link WriteBufferManager} charges all
 * their memtables to that same cache. Block cache, index and filter blocks and memtables of every store together
 * therefore stay near the budget, whatever the number of stores, tasks and partitions (about 40 store instances
 * on the local stack). On Streams' defaults each store has a 50 MiB block cache of its own, up to three 16 MiB
 * memtables, and its index and filter blocks outside any cache, growing with its data.
 *
 * <p>Shares: memtables of all stores may take up to {@link #WRITE_BUFFER_SHARE} of the budget (then the manager
 * has the store that writes flush its memtable); the rest, and whatever memtables leave free, holds data, index
 * and filter blocks. Index and filter blocks go to the cache's high-priority pool ({@link #INDEX_FILTER_SHARE} of
 * it), so data blocks do not push them out first.
 *
 * <p>A soft limit: the cache is made without {@code strictCapacityLimit}. Kafka's guide says a strict limit cannot
 * be combined with charging the write buffers to the cache (RocksDB issue 6247), and with it a read or an
 * iterator fails ("Insufficient capacity") when blocks in use fill the cache. Without it the cache can exceed
 * the budget by the blocks pinned at that moment (those of open iterators) instead.
 *
 * <p>Owned by the application ({@link PipelineStreams}) and closed after Kafka Streams: a store opens with
 * {@link #applyTo} only while the budget is open (the two are mutually exclusive). Closing releases this
 * object's references; a database still open keeps its own (RocksDB shares the cache by reference counting).
 */
final class RocksDbBudget implements AutoCloseable {

    /** Share of the budget that the memtables of all stores may take together. */
    static final double WRITE_BUFFER_SHARE = 0.5;
    /** Share of the cache reserved for index and filter blocks (its high-priority pool). */
    static final double INDEX_FILTER_SHARE = 0.1;
    /** Let RocksDB choose the cache's number of shards from its capacity. */
    private static final int DEFAULT_SHARD_BITS = -1;

    private final long bytes;
    private final long writeBufferBytes;
    private final LRUCache cache;
    private final WriteBufferManager writeBuffers;
    private final Set<String> stores = new TreeSet<>(); // guarded by this
    private boolean closed; // guarded by this

    private RocksDbBudget(final long bytes) {
        this.bytes = bytes;
        this.writeBufferBytes = (long) (bytes * WRITE_BUFFER_SHARE);
        this.cache = new LRUCache(bytes, DEFAULT_SHARD_BITS, false, INDEX_FILTER_SHARE);
        this.writeBuffers = new WriteBufferManager(writeBufferBytes, cache);
    }

    /** A budget of {@code bytes} (more than 0) for every store configured with it. */
    static RocksDbBudget of(final long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a RocksDB memory budget is more than 0 bytes, was " + bytes);
        }
        RocksDB.loadLibrary();
        return new RocksDbBudget(bytes);
    }

    /**
     * Makes the store {@code storeName}, about to open with {@code options}, use the shared cache and write
     * buffer manager. Kafka Streams' own settings (block size, Bloom filter, memtable size) stay as they are.
     *
     * @throws IllegalStateException when the budget is closed (the pipeline stopped) or the store does not use
     *                               block-based tables
     */
    synchronized void applyTo(final String storeName, final Options options) {
        if (closed) {
            throw new IllegalStateException("The RocksDB memory budget is closed (the pipeline stopped): store '"
                    + storeName + "' cannot open with it");
        }
        final TableFormatConfig format = options.tableFormatConfig();
        if (!(format instanceof BlockBasedTableConfig table)) {
            throw new IllegalStateException("Store '" + storeName + "' does not use block-based tables ("
                    + (format == null ? "none" : format.getClass().getName()) + "): its memory cannot be bounded");
        }
        // these three bound the memory: blocks, index and filter blocks in the one cache, memtables charged to it
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        options.setWriteBufferManager(writeBuffers);
        // recommended with them: index and filter blocks in the high-priority pool; the top level of a
        // partitioned index or filter pinned (no effect on Streams' default, unpartitioned ones)
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        // builds the store's native table factory now, holding its own reference to the cache
        options.setTableFormatConfig(table);
        stores.add(storeName);
    }

    /** The budget in bytes: capacity of the shared cache. */
    long bytes() {
        return bytes;
    }

    /** What the memtables of all stores may take together, within {@link #bytes()}. */
    long writeBufferBytes() {
        return writeBufferBytes;
    }

    /** Bytes now in the shared cache: cached blocks and the memtables charged to it. */
    synchronized long usage() {
        if (closed) {
            throw new IllegalStateException("The RocksDB memory budget is closed");
        }
        return cache.getUsage();
    }

    /** Names of the stores (or segments) configured with this budget so far. */
    synchronized Set<String> stores() {
        return Set.copyOf(stores);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            writeBuffers.close();
            cache.close();
        }
    }

    @Override
    public String toString() {
        return MemorySize.format(bytes) + " for every RocksDB store (memtables up to "
                + MemorySize.format(writeBufferBytes) + ", index and filter blocks cached with high priority)";
    }
}
