package io.stemflow.pipeline.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.pipeline.query.QueryConfig;
import io.stemflow.pipeline.query.QueryServer;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology as its own process, configured by environment variables (see
 * {@link #TOPOLOGY_SETTINGS} and {@link #streamsConfig}). Stops cleanly on SIGTERM.
 */
public final class PipelineMain {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMain.class);

    /** Environment variables of the topology's business settings, and the setting each sets. */
    static final Map<String, String> TOPOLOGY_SETTINGS = Map.of(
            "STEMFLOW_CREDITS_SEPARATE_VOCAL_COST", "stemflow.credits.separate-vocal-cost",
            "STEMFLOW_CREDITS_SPLIT_STEM_COST", "stemflow.credits.split-stem-cost",
            "STEMFLOW_CREDITS_UNGRANTED_ACCOUNTS", "stemflow.credits.ungranted-accounts",
            "STEMFLOW_JOBS_RESULT_TIMEOUT", "stemflow.jobs.result-timeout",
            "STEMFLOW_JOBS_RECONCILE_INTERVAL", "stemflow.jobs.reconcile-interval",
            "STEMFLOW_JOBS_MAX_RECONCILIATIONS", "stemflow.jobs.max-reconciliations",
            "STEMFLOW_JOBS_PUNCTUATE_INTERVAL", "stemflow.jobs.punctuate-interval",
            "STEMFLOW_JOBS_STEM_LINK_TTL", "stemflow.jobs.stem-link-ttl",
            "STEMFLOW_JOBS_HISTORY_LIMIT", "stemflow.jobs.history-limit");

    private PipelineMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final Map<String, String> env = System.getenv();
        final TopologyConfig topology = topologyConfig(env);
        final QueryConfig query = queryConfig(env);
        final PipelineStreamsConfig config = streamsConfig(env).withApplicationServer(query.applicationServer());
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final PipelineStreams app = PipelineStreams.start(config, topology, new TopologyMetrics(registry));
        final QueryServer queries = QueryServer.start(app.streams(), query, registry::scrape);
        LOG.info("Query API on {}", queries.url());
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            queries.close();
            app.close();
            stopped.countDown();
        }, "stemflow-pipeline-shutdown"));
        watchForFailure(app);
        if (app.awaitRunning(Duration.ofMinutes(2))) {
            LOG.info("stemflow pipeline {} running", config.applicationId());
        }
        stopped.await();
    }

    /**
     * A pipeline whose Streams application went to ERROR processes nothing until restarted: rather
     * than idle and answer 503 forever, the process exits with status 1 (its shutdown hook closes
     * the query API), so a supervisor (compose, Kubernetes) restarts it and the cause is logged.
     */
    private static void watchForFailure(final PipelineStreams app) {
        final Thread watcher = new Thread(() -> {
            try {
                app.awaitFailure();
                LOG.error("stemflow pipeline: Kafka Streams is in ERROR; exiting with status 1 so it can be restarted");
                System.exit(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stemflow-pipeline-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    static PipelineStreamsConfig streamsConfig(final Map<String, String> env) {
        return new PipelineStreamsConfig(
                env.getOrDefault("STEMFLOW_STREAMS_APPLICATION_ID", "stemflow-pipeline"),
                env.get("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS"),
                env.get("STEMFLOW_SCHEMA_REGISTRY_URL"),
                Path.of(env.getOrDefault("STEMFLOW_STREAMS_STATE_DIR", ".stemflow/streams")),
                intOf(env, "STEMFLOW_STREAMS_REPLICATION_FACTOR", 1),
                intOf(env, "STEMFLOW_STREAMS_THREADS", 1),
                null,
                Map.of());
    }

    /** Query API settings: STEMFLOW_QUERY_HOST (0.0.0.0), STEMFLOW_QUERY_PORT (7070), STEMFLOW_QUERY_ADVERTISED_HOST. */
    static QueryConfig queryConfig(final Map<String, String> env) {
        final Map<String, String> settings = new HashMap<>();
        putIfSet(env, "STEMFLOW_QUERY_HOST", settings, "stemflow.query.host");
        putIfSet(env, "STEMFLOW_QUERY_PORT", settings, "stemflow.query.port");
        putIfSet(env, "STEMFLOW_QUERY_ADVERTISED_HOST", settings, "stemflow.query.advertised-host");
        return QueryConfig.from(settings);
    }

    private static void putIfSet(final Map<String, String> env, final String variable, final Map<String, String> to,
                                 final String key) {
        if (env.get(variable) != null && !env.get(variable).isBlank()) {
            to.put(key, env.get(variable));
        }
    }

    static TopologyConfig topologyConfig(final Map<String, String> env) {
        final Map<String, String> settings = new HashMap<>();
        TOPOLOGY_SETTINGS.forEach((variable, key) -> {
            if (env.get(variable) != null) {
                settings.put(key, env.get(variable));
            }
        });
        return TopologyConfig.from(settings);
    }

    private static int intOf(final Map<String, String> env, final String name, final int fallback) {
        final String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'", e);
        }
    }
}
