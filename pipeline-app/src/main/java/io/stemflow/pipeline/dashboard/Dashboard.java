package io.stemflow.pipeline.dashboard;

import java.util.Map;

/**
 * What the dashboard adds to a pipeline instance: its feed of topics, its samples of the gateway's provider calls
 * and its sender of control commands. Started with the query API, closed with it.
 */
public final class Dashboard implements AutoCloseable {

    private final DashboardFeed feed;
    private final ProviderCalls providerCalls;
    private final ControlPublisher control;
    private final FailedJobs failedJobs;

    Dashboard(final DashboardFeed feed, final ProviderCalls providerCalls, final ControlPublisher control,
              final FailedJobs failedJobs) {
        this.feed = feed;
        this.providerCalls = providerCalls;
        this.control = control;
        this.failedJobs = failedJobs;
    }

    /**
     * Starts the feed and the sampler.
     *
     * @param bootstrapServers the pipeline's Kafka bootstrap servers
     * @param security         the security settings of the pipeline's Kafka clients (its principal)
     * @param serdeConfig      the schema registry settings of its Avro serdes
     */
    public static Dashboard start(final DashboardConfig config, final String bootstrapServers,
                                  final Map<String, String> security, final Map<String, Object> serdeConfig) {
        final Dashboard dashboard = create(config, bootstrapServers, security, serdeConfig);
        dashboard.open();
        return dashboard;
    }

    /**
     * As {@link #start}, but the feed connects to nothing until {@link #open()}: for a caller that must bind a port
     * it chose first (the local stack's query API), before this opens sockets that could take it.
     */
    public static Dashboard create(final DashboardConfig config, final String bootstrapServers,
                                   final Map<String, String> security, final Map<String, Object> serdeConfig) {
        final Map<String, Object> clientProperties = new java.util.HashMap<>(security);
        clientProperties.put(org.apache.kafka.clients.CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        final DashboardFeed feed = DashboardFeed.create(clientProperties, serdeConfig);
        final ProviderCalls calls = ProviderCalls.start(config.gatewayUrl(),
                config.gatewayToken() == null ? null : config.gatewayToken().reveal(), config.limit());
        return new Dashboard(feed, calls, new ControlPublisher(clientProperties, serdeConfig),
                new FailedJobs(clientProperties, serdeConfig));
    }

    /** Starts reading the feed. */
    public void open() {
        feed.start();
    }

    public DashboardFeed feed() {
        return feed;
    }

    public ProviderCalls providerCalls() {
        return providerCalls;
    }

    public ControlPublisher control() {
        return control;
    }

    public FailedJobs failedJobs() {
        return failedJobs;
    }

    @Override
    public void close() {
        control.close();
        providerCalls.close();
        feed.close();
    }
}
