package io.stemflow.cli.bench;

import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.registry.RegistryConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A deployment the benchmark does not own (the local stack of {@code stemflow dev}, compose, a production cluster):
 * how its clients reach Kafka (bootstrap servers and security settings), its schema registry and its query API.
 * There the benchmark never lets a job reach the provider: its account is paused before its first request, so its
 * jobs are admitted (credits reserved) and held, and it is cancelled afterwards, so they end CANCELLED with their
 * credits released.
 *
 * @param kafka    the clients' settings: bootstrap servers and security
 * @param query    the query API's base URL
 * @param token    a viewer's bearer token for the query API
 */
public record Deployment(Map<String, Object> kafka, RegistryConnection registry, URI query, String token) {

    private static final Duration CONTROL_DEADLINE = Duration.ofMinutes(2);

    /**
     * Sends a control of the benchmark's account to {@code separation-control} and waits until the scheduler applies
     * it (a pause), or until the account's queue is empty and none of its credits is reserved any more (a cancel).
     */
    static void control(final KafkaProducer<String, SpecificRecord> producer, final BenchQuery query,
                        final Admission.Names names, final ControlAction action) {
        final ControlCommand command = ControlCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                .setAction(action).setScope(ControlScope.ACCOUNT).setTarget(names.account())
                .setRequestedBy("stemflow bench")
                .setReason(action == ControlAction.PAUSE ? "benchmark: its jobs are admitted and held, never submitted"
                        : "benchmark done: its held jobs end CANCELLED, their credits released")
                .setRequestedAt(Instant.now()).build();
        try {
            producer.send(new ProducerRecord<>(TopicNames.CONTROL, names.account(), command)).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending the " + action + " of " + names.account(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("The " + action + " of account " + names.account() + " was not "
                    + "acknowledged: " + e.getMessage(), e);
        }
        final long end = System.nanoTime() + CONTROL_DEADLINE.toNanos();
        while (action == ControlAction.PAUSE ? !query.accountControlled(names.account(), "PAUSE")
                : query.waitingOf(names.batch()) != 0 || reserved(query, names) != 0) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the scheduler did not apply the " + action + " of account "
                        + names.account() + " within " + CONTROL_DEADLINE.toSeconds() + " s");
            }
            Waits.pause(Duration.ofMillis(200));
        }
    }

    private static long reserved(final BenchQuery query, final Admission.Names names) {
        return query.get("accounts/" + names.account()).map(a -> a.path("reserved").asLong()).orElse(-1L);
    }
}
