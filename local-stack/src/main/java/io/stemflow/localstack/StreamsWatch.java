package io.stemflow.localstack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the pipeline's Kafka Streams state and makes an ERROR loud: an ERROR line on the
 * console (red on a terminal), and a {@link #problem()} for the stack's health, instead of a query
 * API that quietly answers 503. ERROR is final for a {@link KafkaStreams} instance: the stack keeps
 * running (so its state can be inspected), but nothing is processed until it is restarted.
 *
 * <p>Polls {@code state()} rather than setting a state listener: {@code PipelineStreams} owns the
 * one listener Kafka Streams allows. {@link #check()} is one poll; {@link #start} runs it every
 * {@code interval} on a daemon thread of its own.
 */
final class StreamsWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsWatch.class);

    private final Supplier<KafkaStreams.State> state;
    private final Clock clock;
    private final ScheduledExecutorService poller;
    private Instant errorSince;

    StreamsWatch(final Supplier<KafkaStreams.State> state, final Clock clock) {
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread t = new Thread(runnable, "stemflow-streams-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls {@code state} every {@code interval} until closed. */
    static StreamsWatch start(final Supplier<KafkaStreams.State> state, final Duration interval) {
        final StreamsWatch watch = new StreamsWatch(state, Clock.systemUTC());
        watch.poller.scheduleWithFixedDelay(watch::check, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return watch;
    }

    /** One poll: notes (and logs, once) an ERROR. */
    void check() {
        final KafkaStreams.State now = state.get();
        synchronized (this) {
            if (now != KafkaStreams.State.ERROR || errorSince != null) {
                return;
            }
            errorSince = clock.instant();
        }
        LOG.error("The pipeline's Kafka Streams application is in ERROR: no job moves any more. The cause is "
                + "logged above (and in the stack log); stop and start stemflow dev again");
    }

    /** Empty while Streams is not in ERROR; otherwise since when it is. */
    synchronized Optional<String> problem() {
        return errorSince == null ? Optional.empty()
                : Optional.of("Kafka Streams is in ERROR since " + errorSince + "; restart the stack");
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
