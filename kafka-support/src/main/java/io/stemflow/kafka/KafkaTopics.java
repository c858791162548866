package io.stemflow.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics and returns only when every partition of every topic answers a
 * {@code ListOffsets} request.
 *
 * <p>Why: in Kafka 4.3.1 an idempotent producer that sends right after {@code createTopics}
 * can have its first batch fail on a partition whose leader is not ready yet, a later
 * batch land first, and the first one be retried until {@code delivery.timeout.ms} and
 * dropped (KAFKA-15591). Waiting until {@code listOffsets} succeeds for every partition
 * closes that window. Topics that already exist are accepted as they are.
 */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);
    private static final long POLL_MILLIS = 50;

    private KafkaTopics() {
    }

    /**
     * Creates the topics that do not exist yet and waits until all of them are ready.
     *
     * @throws IllegalStateException naming the topics that were not ready by the deadline
     */
    public static void createAndAwait(final Admin admin, final Collection<NewTopic> topics, final Duration timeout) {
        final Instant deadline = Instant.now().plus(timeout);
        final Map<String, Throwable> failures = new HashMap<>();
        final var result = admin.createTopics(topics);
        for (final var entry : result.values().entrySet()) {
            try {
                entry.getValue().get(remaining(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    failures.put(entry.getKey(), e.getCause());
                }
            } catch (TimeoutException e) {
                failures.put(entry.getKey(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topics " + names(topics), e);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("Could not create topics " + failures.keySet() + ": " + failures);
        }
        awaitReady(admin, names(topics), deadline);
    }

    /** Waits until every partition of the named (existing) topics answers {@code ListOffsets}. */
    public static void awaitReady(final Admin admin, final Collection<String> topicNames, final Duration timeout) {
        awaitReady(admin, topicNames, Instant.now().plus(timeout));
    }

    private static void awaitReady(final Admin admin, final Collection<String> topicNames, final Instant deadline) {
        Throwable last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                final Map<String, TopicDescription> descriptions = admin.describeTopics(topicNames)
                        .allTopicNames().get(remaining(deadline), TimeUnit.MILLISECONDS);
                final Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                boolean leadersKnown = true;
                for (final TopicDescription description : descriptions.values()) {
                    for (final var partition : description.partitions()) {
                        leadersKnown &= partition.leader() != null && !partition.leader().isEmpty();
                        request.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest());
                    }
                }
                if (leadersKnown) {
                    final ListOffsetsResult offsets = admin.listOffsets(request);
                    offsets.all().get(remaining(deadline), TimeUnit.MILLISECONDS);
                    LOG.debug("Topics {} ready ({} partitions)", topicNames, request.size());
                    return;
                }
            } catch (ExecutionException e) {
                last = e.getCause();
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for topics " + topicNames, e);
            }
            pause();
        }
        throw new IllegalStateException("Topics " + topicNames + " were not ready in time"
                + (last == null ? "" : ": " + last));
    }

    private static List<String> names(final Collection<NewTopic> topics) {
        final List<String> names = new ArrayList<>(topics.size());
        topics.forEach(t -> names.add(t.name()));
        return names;
    }

    private static long remaining(final Instant deadline) {
        return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS); // polling interval of a deadline-bounded wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topics", e);
        }
    }
}
