package io.stemflow.bridge.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Client settings of the bridge. Every time bound derives from the produce timeout, so that a
 * callback is answered (200 or 503) well within the provider's 15 s:
 * <ul>
 *   <li>{@code max.block.ms} = timeout: {@code send} waits no longer for metadata or buffer space;</li>
 *   <li>{@code request.timeout.ms} = timeout and {@code delivery.timeout.ms} = timeout + linger: a
 *       batch that cannot be delivered expires instead of being retried for two minutes, so the
 *       accumulator does not fill up with results the provider will send again anyway;</li>
 *   <li>{@code reconnect.backoff.max.ms} = 1 s: back quickly once the broker returns.</li>
 * </ul>
 * Idempotence with {@code acks=all} keeps a retried batch from being written twice.
 */
public final class ProducerSettings {

    public static final int LINGER_MS = 5;
    private static final int RECONNECT_BACKOFF_MAX_MS = 1000;

    private ProducerSettings() {
    }

    public static Map<String, Object> producer(final String bootstrapServers, final Duration produceTimeout) {
        final int timeoutMs = Math.toIntExact(produceTimeout.toMillis());
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "stemflow-callback-bridge");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + LINGER_MS);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        return config;
    }

    /** The readiness probe's admin client: every call bounded by {@code probeTimeout}. */
    public static Map<String, Object> admin(final String bootstrapServers, final Duration probeTimeout) {
        final int timeoutMs = Math.toIntExact(probeTimeout.toMillis());
        final Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "stemflow-callback-bridge-readiness");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        return config;
    }
}
