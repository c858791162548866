package io.stemflow.gateway;

import io.stemflow.avro.DeadLetter;
import io.stemflow.gateway.JobHandler.Accept;
import io.stemflow.gateway.JobHandler.Immediate;
import io.stemflow.gateway.JobHandler.Intake;
import io.stemflow.gateway.JobHandler.Stall;
import io.stemflow.serde.AvroSerdeException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake rules of the reconciler loop's inputs (late jobs, link refreshes), the same for both: a tombstone, a key
 * that disagrees with the value's requestId, or a value with a {@code problem} is dead-lettered (INVALID_RECORD),
 * bytes that do not decode too (CORRUPT_RECORD); nothing else is written for them. A registry outage stalls the
 * partition. See docs/integration.md, "Bad records on the gateway's inputs".
 *
 * @param <V> the input's value
 */
final class PolledIntake<V> {

    private static final Logger LOG = LoggerFactory.getLogger(PolledIntake.class);

    private final String what;
    private final Deserializer<V> deserializer;
    private final GatewayDeadLetters deadLetters;
    private final Function<V, String> requestId;
    private final Function<V, Integer> attempt;
    private final Function<V, Optional<String>> problem;
    private final Runnable keyless;

    /**
     * @param what    the input in log lines ("Reconcile", "Link refresh")
     * @param problem why a value whose identity is sound cannot be used, or empty
     * @param keyless counts a usable record without a key
     */
    PolledIntake(final String what, final Deserializer<V> deserializer, final GatewayDeadLetters deadLetters,
                 final Function<V, String> requestId, final Function<V, Integer> attempt,
                 final Function<V, Optional<String>> problem, final Runnable keyless) {
        this.what = Objects.requireNonNull(what, "what");
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.attempt = Objects.requireNonNull(attempt, "attempt");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.keyless = Objects.requireNonNull(keyless, "keyless");
    }

    Intake<V> decode(final ConsumerRecord<String, byte[]> record) {
        final GatewayDeadLetters.Source source = GatewayDeadLetters.Source.of(record);
        if (record.value() == null) {
            return unusable(source, deadLetters.invalid(source, "tombstone: a null value names no job", null, null));
        }
        final V value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (AvroSerdeException e) {
            if (!e.isRecordFault()) {
                return new Stall<>(e);
            }
            return unusable(source, deadLetters.corrupt(source, e,
                    InputRules.validId(record.key()) ? record.key() : null));
        }
        final Optional<String> identity = InputRules.identityProblem(record.key(), requestId.apply(value));
        if (identity.isPresent()) {
            return unusable(source, deadLetters.invalid(source, identity.get(), null, attempt.apply(value)));
        }
        final Optional<String> unusable = problem.apply(value);
        if (unusable.isPresent()) {
            return unusable(source, deadLetters.invalid(source, unusable.get(), requestId.apply(value),
                    attempt.apply(value)));
        }
        if (record.key() == null) {
            keyless.run();
        }
        return new Accept<>(value);
    }

    private Immediate<V> unusable(final GatewayDeadLetters.Source source, final Output<DeadLetter> letter) {
        LOG.warn("{} record {} dead-lettered as {}: {}", what, source, letter.value().getKind(),
                letter.value().getReason());
        return new Immediate<>(List.of(letter));
    }
}
