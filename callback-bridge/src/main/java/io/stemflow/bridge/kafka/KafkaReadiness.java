package io.stemflow.bridge.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the bridge can currently store results: the answer of {@code /health/ready}.
 *
 * <p>Two sources feed it. With a probe, an {@link Admin} describes the results topic every
 * {@code interval} (bounded by {@code timeout}); ready means the topic exists and every partition
 * has a leader. And every publish: an acknowledgement proves Kafka reachable, an
 * {@link PublishException.Kind#UNAVAILABLE} failure proves it is not, so readiness follows traffic
 * at once between probes. Without a probe (a pre-built producer in tests) it starts ready and
 * follows publishes only.
 */
public final class KafkaReadiness implements PublishListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaReadiness.class);

    private final AtomicBoolean ready;
    private final Admin admin;
    private final String topic;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;

    private KafkaReadiness(final boolean initiallyReady, final Admin admin, final String topic, final Duration timeout) {
        this.ready = new AtomicBoolean(initiallyReady);
        this.admin = admin;
        this.topic = topic;
        this.timeout = timeout;
        this.scheduler = admin == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread thread = new Thread(r, "callback-bridge-readiness");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Probes {@code topic} through {@code admin} every {@code interval}, starting now; not ready until
     * the first probe succeeds. Takes ownership of {@code admin}.
     */
    public static KafkaReadiness probing(final Admin admin, final String topic, final Duration interval,
                                         final Duration timeout) {
        final KafkaReadiness readiness = new KafkaReadiness(false, Objects.requireNonNull(admin, "admin"),
                Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(timeout, "timeout"));
        readiness.scheduler.scheduleWithFixedDelay(readiness::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return readiness;
    }

    /** Follows publishes only, ready until one fails for want of Kafka. */
    public static KafkaReadiness fromPublishes() {
        return new KafkaReadiness(true, null, null, null);
    }

    public boolean isReady() {
        return ready.get();
    }

    @Override
    public void acknowledged(final Duration latency) {
        update(true, "a result was acknowledged");
    }

    @Override
    public void failed(final PublishException.Kind kind, final Duration latency) {
        if (kind == PublishException.Kind.UNAVAILABLE) {
            update(false, "a result was not acknowledged in time");
        }
    }

    private void probe() {
        try {
            final Map<String, TopicDescription> topics = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            final TopicDescription description = topics.get(topic);
            final boolean leaders = description != null && !description.partitions().isEmpty()
                    && description.partitions().stream().map(TopicPartitionInfo::leader)
                    .allMatch(leader -> leader != null && !leader.isEmpty());
            update(leaders, leaders ? "topic '" + topic + "' answers" : "a partition of topic '" + topic + "' has no leader");
        } catch (ExecutionException e) {
            update(false, "describing topic '" + topic + "' failed: " + e.getCause());
        } catch (TimeoutException e) {
            update(false, "topic '" + topic + "' did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            update(false, "the probe failed: " + e);
        }
    }

    private void update(final boolean nowReady, final String why) {
        if (ready.getAndSet(nowReady) != nowReady) {
            if (nowReady) {
                LOG.info("Kafka reachable again, the bridge is ready: {}", why);
            } else {
                LOG.warn("Kafka unreachable, the bridge is not ready: {}", why);
            }
        }
    }

    /** Stops probing and closes the admin client. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            admin.close(timeout);
        }
    }
}
