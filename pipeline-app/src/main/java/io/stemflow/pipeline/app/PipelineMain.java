package io.stemflow.pipeline.app;

import io.stemflow.kafka.KafkaClientSecurity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.http.HttpAccess;
import io.stemflow.pipeline.query.QueryConfig;
import io.stemflow.pipeline.dashboard.Dashboard;
import io.stemflow.pipeline.dashboard.DashboardConfig;
import io.stemflow.pipeline.query.QueryServer;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyConfig.UngrantedAccounts;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.service.ServiceMain;
import io.stemflow.service.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology as its own process with {@link ServiceMain}, configured by environment variables read once by
 * {@link #fromEnv(Map)}: an invalid configuration exits 2 with one message naming every bad variable; Kafka
 * Streams going to ERROR exits 1; SIGTERM stops cleanly.
 */
public final class PipelineMain {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMain.class);

    static final String KAFKA_BOOTSTRAP_SERVERS = "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS";
    static final String SCHEMA_REGISTRY_URL = "STEMFLOW_SCHEMA_REGISTRY_URL";
    static final String APPLICATION_ID = "STEMFLOW_STREAMS_APPLICATION_ID";
    static final String STATE_DIR = "STEMFLOW_STREAMS_STATE_DIR";
    static final String REPLICATION_FACTOR = "STEMFLOW_STREAMS_REPLICATION_FACTOR";
    static final String THREADS = "STEMFLOW_STREAMS_THREADS";
    static final String ROCKSDB_MEMORY = "STEMFLOW_STREAMS_ROCKSDB_MEMORY";
    static final String COMMIT_INTERVAL = "STEMFLOW_STREAMS_COMMIT_INTERVAL";
    static final String QUERY_HOST = "STEMFLOW_QUERY_HOST";
    static final String QUERY_PORT = "STEMFLOW_QUERY_PORT";
    static final String QUERY_ADVERTISED_HOST = "STEMFLOW_QUERY_ADVERTISED_HOST";
    static final String SEPARATE_VOCAL_COST = "STEMFLOW_CREDITS_SEPARATE_VOCAL_COST";
    static final String SPLIT_STEM_COST = "STEMFLOW_CREDITS_SPLIT_STEM_COST";
    static final String UNGRANTED_ACCOUNTS = "STEMFLOW_CREDITS_UNGRANTED_ACCOUNTS";
    static final String RESULT_TIMEOUT = "STEMFLOW_JOBS_RESULT_TIMEOUT";
    static final String RECONCILE_INTERVAL = "STEMFLOW_JOBS_RECONCILE_INTERVAL";
    static final String MAX_RECONCILIATIONS = "STEMFLOW_JOBS_MAX_RECONCILIATIONS";
    static final String PUNCTUATE_INTERVAL = "STEMFLOW_JOBS_PUNCTUATE_INTERVAL";
    static final String STEM_LINK_TTL = "STEMFLOW_JOBS_STEM_LINK_TTL";
    static final String HISTORY_LIMIT = "STEMFLOW_JOBS_HISTORY_LIMIT";
    static final String SCHEDULER_LEAD = "STEMFLOW_SCHEDULER_LEAD";
    static final String SCHEDULER_TICK = "STEMFLOW_SCHEDULER_TICK";
    static final String SCHEDULER_SWEEP_CHUNK = "STEMFLOW_SCHEDULER_SWEEP_CHUNK";

    private static final Duration SMALLEST = Duration.ofMillis(1);

    /** Everything the pipeline process is started with. */
    record Config(PipelineStreamsConfig streams, QueryConfig query, HttpAccess access, TopologyConfig topology,
                  DashboardConfig dashboard, Map<String, String> clientSecurity) {
    }

    private PipelineMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        ServiceMain.run("pipeline", PipelineMain::fromEnv, PipelineMain::start);
    }

    private static ServiceMain.Running start(final Config config) {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final PipelineStreams app = PipelineStreams.start(config.streams(), config.topology(),
                new TopologyMetrics(registry));
        final Dashboard dashboard = config.dashboard().enabled()
                ? Dashboard.start(config.dashboard(), config.streams().bootstrapServers(), config.clientSecurity(),
                        config.streams().registry().serdeConfig())
                : null;
        final QueryServer queries = QueryServer.start(app.streams(), config.query(), config.access(),
                registry::scrape, dashboard);
        LOG.info("Query API on {}{}", queries.url(), dashboard == null ? "" : ", dashboard on " + queries.url()
                + "/dashboard/");
        return new ServiceMain.Running() {
            @Override
            public void close() {
                queries.close();
                if (dashboard != null) {
                    dashboard.close();
                }
                app.close();
            }

            @Override
            public void ready() throws InterruptedException {
                if (app.awaitRunning(Duration.ofMinutes(2))) {
                    LOG.info("stemflow pipeline {} running", config.streams().applicationId());
                }
            }

            /*
             * A pipeline whose Streams application went to ERROR processes nothing until restarted: rather than
             * idle and answer 503 forever, the process exits with status 1 (the shutdown hook closes the query
             * API), so a supervisor (compose, Kubernetes) restarts it and the cause is logged.
             */
            @Override
            public String awaitFailure() throws InterruptedException {
                app.awaitFailure();
                return "Kafka Streams is in ERROR";
            }
        };
    }

    /**
     * Reads every pipeline variable once (see README's settings table) and reports every problem together.
     *
     * @throws io.stemflow.service.SettingsException naming every bad or missing variable
     */
    static Config fromEnv(final Map<String, String> env) {
        final Settings r = new Settings("pipeline", env);
        final String bootstrap = r.required(KAFKA_BOOTSTRAP_SERVERS, "host:port[,host:port...]");
        final String registryUrl = r.required(SCHEMA_REGISTRY_URL, "http(s)://host:port[,...]");
        final java.util.Optional<RegistryConnection> registry = RegistryConnection.read(r, registryUrl);
        final String applicationId = r.text(APPLICATION_ID, "stemflow-pipeline");
        final Path stateDir = r.parsed(STATE_DIR, Path::of).orElse(Path.of(".stemflow/streams"));
        final int replication = r.integer(REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE);
        final int threads = r.integer(THREADS, 1, 1, Integer.MAX_VALUE);
        final long rocksDbMemory = r.parsed(ROCKSDB_MEMORY, MemorySize::parse)
                .orElse(PipelineStreamsConfig.DEFAULT_ROCKSDB_MEMORY);
        r.check(rocksDbMemory == 0 || rocksDbMemory >= PipelineStreamsConfig.MIN_ROCKSDB_MEMORY, ROCKSDB_MEMORY
                + " must be 0 (Kafka Streams' own RocksDB defaults, unbounded) or at least "
                + MemorySize.format(PipelineStreamsConfig.MIN_ROCKSDB_MEMORY) + " (a bare number is bytes), was '"
                + r.text(ROCKSDB_MEMORY, "") + "'");
        final Duration commitInterval = r.duration(COMMIT_INTERVAL, PipelineStreams.COMMIT_INTERVAL, SMALLEST,
                PipelineStreams.LONGEST_COMMIT_INTERVAL);
        final String queryHost = r.text(QUERY_HOST, QueryConfig.DEFAULT_HOST);
        final int queryPort = r.integer(QUERY_PORT, QueryConfig.DEFAULT_PORT, 1, 65_535);
        final String advertised = r.optional(QUERY_ADVERTISED_HOST).orElse(null);
        r.check(advertised == null || !advertised.contains(":") || advertised.startsWith("["), QUERY_ADVERTISED_HOST
                + " must be a host name or an IPv4 address (Kafka's application.server is host:port), was '"
                + advertised + "'");
        final HttpAccess access = HttpAccess.read(r, java.util.stream.Stream.of(queryHost, advertised)
                .filter(java.util.Objects::nonNull).toList());
        final TopologyConfig d = TopologyConfig.defaults();
        final long separateVocal = r.whole(SEPARATE_VOCAL_COST, d.separateVocalCost(), 1, Long.MAX_VALUE);
        final long splitStem = r.whole(SPLIT_STEM_COST, d.splitStemCost(), 1, Long.MAX_VALUE);
        final UngrantedAccounts ungranted = r.choice(UNGRANTED_ACCOUNTS, UngrantedAccounts.class,
                d.ungrantedAccounts());
        final Duration resultTimeout = r.duration(RESULT_TIMEOUT, d.resultTimeout(), SMALLEST);
        final Duration reconcileInterval = r.duration(RECONCILE_INTERVAL, d.reconcileInterval(), SMALLEST);
        final int maxReconciliations = r.integer(MAX_RECONCILIATIONS, d.maxReconciliations(), 0, Integer.MAX_VALUE);
        final Duration punctuate = r.duration(PUNCTUATE_INTERVAL, d.punctuateInterval(), SMALLEST);
        final Duration stemLinkTtl = r.duration(STEM_LINK_TTL, d.stemLinkTtl(), SMALLEST);
        final int historyLimit = r.integer(HISTORY_LIMIT, d.historyLimit(), 1, Integer.MAX_VALUE);
        final int lead = r.integer(SCHEDULER_LEAD, d.schedulerLead(), 1, 100_000);
        final Duration tick = r.duration(SCHEDULER_TICK, d.schedulerTick(), SMALLEST);
        final int sweepChunk = r.integer(SCHEDULER_SWEEP_CHUNK, d.schedulerSweepChunk(), 1, 1_000_000);
        final KafkaClientSecurity security = KafkaClientSecurity.read(r);
        final DashboardConfig dashboard = DashboardConfig.read(r);
        r.throwIfProblems();
        // every value is valid here: the records' own checks cannot fail on what was read above
        final QueryConfig query = new QueryConfig(queryHost, queryPort, advertised,
                QueryConfig.DEFAULT_FORWARD_TIMEOUT, QueryConfig.DEFAULT_RETRY_AFTER);
        final PipelineStreamsConfig streams = new PipelineStreamsConfig(applicationId, bootstrap, registryUrl,
                stateDir, replication, threads, query.applicationServer(), security.properties(), rocksDbMemory)
                .withRegistryAuth(registry.orElseThrow().auth())
                .withExtra(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitInterval.toMillis())));
        final TopologyConfig topology = new TopologyConfig(separateVocal, splitStem, ungranted, resultTimeout,
                reconcileInterval, maxReconciliations, punctuate, stemLinkTtl, historyLimit, lead, tick, sweepChunk);
        return new Config(streams, query, access, topology, dashboard, security.properties());
    }
}
