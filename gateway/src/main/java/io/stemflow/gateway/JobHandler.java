package io.stemflow.gateway;

import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a {@link WorkLoop} does with its records: the submitter (generate) and the reconciler (record-info)
 * are two handlers on the same loop. Every method but {@link #call} runs on the loop thread.
 *
 * @param <V> the decoded record value
 */
interface JobHandler<V> {

    /** The endpoint each job calls. */
    Endpoint endpoint();

    /** Decodes a consumed record. */
    Intake<V> decode(ConsumerRecord<String, byte[]> record);

    /** False holds every dispatch (e.g. while out of credits). */
    boolean mayStart(Job<V> next, long now);

    /** The provider call of a job; runs on a worker thread and must not touch loop state. */
    ProviderReply<?> call(V value);

    /** Decides what a reply means for the job. The gate has already seen the reply. */
    Step onReply(Job<V> job, ProviderReply<?> reply, long now);

    /** Called every loop turn: side calls such as credit polls. */
    default void tick(final long now, final LoopControl<V> control) {
    }

    /** Nanos until {@link #tick} has something to do, {@link Long#MAX_VALUE} when nothing is planned. */
    default long nanosUntilTick(final long now) {
        return Long.MAX_VALUE;
    }

    /** What a handler may ask of its loop from {@link #tick}. */
    interface LoopControl<V> {

        /** The job that would be dispatched next (see {@link DispatchQueue} for the order), if any. */
        Optional<Job<V>> nextQueued();

        /** Jobs waiting for a call (never called, or waiting to be called again). */
        int waiting();

        /**
         * Makes a call outside any job (through the gate, so it is rate limited); {@code onReply} runs on the loop
         * thread. False when the gate or the window does not let it go now.
         */
        boolean sideCall(Endpoint endpoint, Supplier<ProviderReply<?>> call, Consumer<ProviderReply<?>> onReply);
    }

    /** The result of decoding a record. */
    sealed interface Intake<V> permits Accept, Immediate, Stall {
    }

    /**
     * A job to run.
     *
     * @param rank its dispatch class: among jobs never started, a lower rank is called first (then consumption
     *             order); {@link #SOLE_CLASS} for a handler without classes
     */
    record Accept<V>(V value, int rank) implements Intake<V> {

        static final int SOLE_CLASS = 0;

        public Accept {
            Objects.requireNonNull(value, "value");
        }

        /** A job of a handler without dispatch classes. */
        public Accept(final V value) {
            this(value, SOLE_CLASS);
        }
    }

    /** Done without a provider call (unreadable or invalid record): these outputs, possibly none. */
    record Immediate<V>(List<Output<?>> outputs) implements Intake<V> {
    }

    /** Cannot decode now for a reason outside the record (registry down): read it again later. */
    record Stall<V>(RuntimeException cause) implements Intake<V> {
    }

    /** What to do with a job after a reply. */
    sealed interface Step permits Done, Requeue, RetryAfter {
    }

    /** Finished: commit these outputs with the job's offset. */
    record Done(List<Output<?>> outputs) implements Step {
    }

    /** Back in line, in order; the gate (backoff, circuit, halt) or the handler (credits) holds it. */
    record Requeue() implements Step {
    }

    /** Call again, not before {@code nanos} from now. */
    record RetryAfter(long nanos) implements Step {
    }
}
