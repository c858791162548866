package io.stemflow.cli.bench;

import io.stemflow.avro.CreditGrant;
import io.stemflow.schemas.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Credits for the benchmark's accounts, granted as an operator grants them and awaited until the ledger has them. */
final class Credits {

    private static final Duration DEADLINE = Duration.ofMinutes(2);

    private Credits() {
    }

    static void grant(final KafkaProducer<String, SpecificRecord> producer, final BenchQuery query,
                      final String account, final long credits) {
        final long before = query.get("accounts/" + account).map(a -> a.path("granted").asLong()).orElse(0L);
        try {
            producer.send(new ProducerRecord<>(TopicNames.CREDIT_GRANTS, account, new CreditGrant(
                    UUID.randomUUID().toString(), account, credits, "stemflow bench", Instant.now())))
                    .get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while granting credits", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("The grant to " + account + " was not acknowledged: " + e.getMessage(), e);
        }
        query.await("accounts/" + account, a -> a.path("granted").asLong() >= before + credits, DEADLINE,
                "the grant of " + credits + " credits to " + account);
    }
}
