package io.stemflow.pipeline.app;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * Kafka Streams' {@code rocksdb.config.setter} of the pipeline: every RocksDB store it opens uses the instance's
 * one {@link RocksDbBudget}. Streams creates one setter per store from the class name, so what the stores share
 * cannot live in the setter: the budget travels in the Streams configs under {@link #BUDGET_CONFIG} (as the
 * error handlers' dead-letter writer and metrics do), owned by the application rather than a static, so two
 * pipelines in one JVM (tests) keep apart.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    /** Streams config that carries the {@link RocksDbBudget} to every store. */
    static final String BUDGET_CONFIG = "stemflow.rocksdb.memory-budget";

    /** Streams creates it by class name. */
    public BoundedRocksDb() {
    }

    /** Adds the setter and the budget it hands to every store to Streams properties. */
    static Properties configure(final Properties props, final RocksDbBudget budget) {
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
        props.put(BUDGET_CONFIG, budget);
        return props;
    }

    @Override
    public void setConfig(final String storeName, final Options options, final Map<String, Object> configs) {
        if (!(configs.get(BUDGET_CONFIG) instanceof RocksDbBudget budget)) {
            throw new IllegalStateException("Store '" + storeName + "': " + BoundedRocksDb.class.getSimpleName()
                    + " is the RocksDB config setter but the Streams configs carry no memory budget under '"
                    + BUDGET_CONFIG + "' (BoundedRocksDb.configure sets both)");
        }
        budget.applyTo(storeName, options);
    }

    /**
     * Closes nothing: this setter creates no RocksDB object per store (Streams closes its own Bloom filter and
     * unused default cache), and the shared cache and write buffer manager must outlive every store: the
     * application closes the budget after Kafka Streams.
     */
    @Override
    public void close(final String storeName, final Options options) {
        // nothing of its own
    }
}
