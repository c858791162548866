package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Options;
import org.rocksdb.PlainTableConfig;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The budget on real RocksDB databases (no broker): opened the way Kafka Streams opens a store (its own block
 * cache, Bloom filter and 16 MiB memtables, then the config setter), they report the shared cache as theirs,
 * charge their memtables to it, and flush early once all of them together reach the write-buffer share.
 */
class RocksDbBudgetTest {

    private static final long BUDGET = 16L << 20;

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    /** Options as Kafka Streams' RocksDBStore makes them before it calls the config setter. */
    private Options streamsDefaults() {
        final BlockBasedTableConfig table = new BlockBasedTableConfig();
        final org.rocksdb.LRUCache ownCache = new org.rocksdb.LRUCache(50L << 20);
        final BloomFilter filter = new BloomFilter();
        opened.add(ownCache);
        opened.add(filter);
        table.setBlockCache(ownCache);
        table.setBlockSize(4096);
        table.setFilterPolicy(filter);
        final Options options = new Options().setCreateIfMissing(true).setWriteBufferSize(16L << 20)
                .setMaxWriteBufferNumber(3).setTableFormatConfig(table);
        opened.add(options);
        return options;
    }

    private RocksDB open(final String name, final Options options) throws RocksDBException {
        final RocksDB db = RocksDB.open(options, dir.resolve(name).toString());
        opened.add(db);
        return db;
    }

    private static void write(final RocksDB db, final String prefix, final int megabytes) throws RocksDBException {
        final byte[] value = new byte[1024];
        try (WriteOptions noWal = new WriteOptions().setDisableWAL(true)) { // Streams writes without a WAL too
            for (int i = 0; i < megabytes * 1024; i++) {
                db.put(noWal, (prefix + i).getBytes(StandardCharsets.UTF_8), value);
            }
        }
    }

    private RocksDbBudget budget() {
        final RocksDbBudget budget = RocksDbBudget.of(BUDGET);
        opened.add(0, budget); // closed last, after the databases
        return budget;
    }

    @Test
    void shouldGiveEveryStoreTheOneCacheWhenTwoStoresOpenWithTheBudget() throws Exception {
        // given
        final RocksDbBudget budget = budget();
        final Options first = streamsDefaults();
        final Options second = streamsDefaults();

        // when
        new BoundedRocksDb().setConfig("job-states", first, Map.of(BoundedRocksDb.BUDGET_CONFIG, budget));
        new BoundedRocksDb().setConfig("queue-jobs", second, Map.of(BoundedRocksDb.BUDGET_CONFIG, budget));
        final RocksDB a = open("job-states", first);
        final RocksDB b = open("queue-jobs", second);
        write(a, "a", 1);
        write(b, "b", 1);

        // then: both report the budget's cache (not Streams' 50 MiB one), and what is in it is one figure
        assertThat(a.getLongProperty("rocksdb.block-cache-capacity")).isEqualTo(BUDGET);
        assertThat(b.getLongProperty("rocksdb.block-cache-capacity")).isEqualTo(BUDGET);
        final long memtables = a.getLongProperty("rocksdb.cur-size-all-mem-tables")
                + b.getLongProperty("rocksdb.cur-size-all-mem-tables");
        assertThat(budget.usage()).as("memtables charged to the shared cache").isGreaterThanOrEqualTo(memtables)
                .isEqualTo(a.getLongProperty("rocksdb.block-cache-usage"));
        assertThat(budget.stores()).containsExactlyInAnyOrder("job-states", "queue-jobs");
        final BlockBasedTableConfig table = (BlockBasedTableConfig) first.tableFormatConfig();
        assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
        assertThat(table.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
        assertThat(first.writeBufferManager()).isNotNull().isSameAs(second.writeBufferManager());
    }

    @Test
    void shouldFlushBeforeAnyMemtableIsFullWhenAllStoresTogetherReachTheWriteBufferShare() throws Exception {
        // given three stores with Streams' 16 MiB memtables, and a budget whose write-buffer share is 8 MiB
        final RocksDbBudget budget = budget();
        final List<RocksDB> stores = new ArrayList<>();
        for (final String name : List.of("one", "two", "three")) {
            final Options options = streamsDefaults();
            budget.applyTo(name, options);
            stores.add(open(name, options));
        }

        // when each writes 4 MiB: 12 MiB together, no store near its own 16 MiB memtable
        for (int i = 0; i < stores.size(); i++) {
            write(stores.get(i), "k" + i + "-", 4);
        }

        // then the shared manager had stores flush to files
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            long onDisk = 0;
            for (final RocksDB db : stores) {
                onDisk += db.getLongProperty("rocksdb.total-sst-files-size");
            }
            assertThat(onDisk).as("bytes flushed to SST files").isPositive();
        });
        assertThat(budget.writeBufferBytes()).isEqualTo(BUDGET / 2);
    }

    @Test
    void shouldFlushNothingWhenTheSameWritesRunOnStreamsDefaults() throws Exception {
        // given the same three stores without the budget (the control of the test above)
        final List<RocksDB> stores = new ArrayList<>();
        for (final String name : List.of("one", "two", "three")) {
            stores.add(open(name, streamsDefaults()));
        }

        // when
        for (int i = 0; i < stores.size(); i++) {
            write(stores.get(i), "k" + i + "-", 4);
        }

        // then every byte is still in a memtable
        for (final RocksDB db : stores) {
            assertThat(db.getLongProperty("rocksdb.total-sst-files-size")).isZero();
            assertThat(db.getLongProperty("rocksdb.block-cache-capacity")).isEqualTo(50L << 20);
        }
    }

    @Test
    void shouldRefuseAStoreWhenTheBudgetIsClosed() {
        // given
        final RocksDbBudget budget = RocksDbBudget.of(BUDGET);
        budget.close();
        budget.close(); // twice is harmless

        // when / then
        assertThatThrownBy(() -> budget.applyTo("job-states", streamsDefaults()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'job-states'")
                .hasMessageContaining("closed");
    }

    @Test
    void shouldNameTheMissingConfigWhenTheSetterRunsWithoutABudget() {
        // when / then
        assertThatThrownBy(() -> new BoundedRocksDb().setConfig("job-states", streamsDefaults(), Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'job-states'")
                .hasMessageContaining(BoundedRocksDb.BUDGET_CONFIG);
    }

    @Test
    void shouldRefuseAStoreWhenItsTablesAreNotBlockBased() {
        // given
        final RocksDbBudget budget = budget();
        final Options plain = new Options().setTableFormatConfig(new PlainTableConfig());
        opened.add(plain);

        // when / then
        assertThatThrownBy(() -> budget.applyTo("odd", plain)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'odd'").hasMessageContaining("block-based");
    }

    @Test
    void shouldRefuseABudgetWhenItIsNotPositive() {
        // when / then
        assertThatThrownBy(() -> RocksDbBudget.of(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
