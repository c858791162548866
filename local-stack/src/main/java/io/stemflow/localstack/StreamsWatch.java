package io.stemflow.localstack;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a Kafka Streams ERROR loud in the local stack: an ERROR line on the console (red on a
 * terminal), and a {@link #problem()} for the stack's health, instead of a query API that quietly
 * answers 503. ERROR is final for a Kafka Streams instance: the stack keeps running (so its state
 * can be inspected), but nothing is processed until it is restarted.
 *
 * <p>Fed by {@code PipelineStreams.whenFailed}, the application's one state listener: no polling.
 */
final class StreamsWatch {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsWatch.class);

    private final Clock clock;
    private Instant errorSince;

    StreamsWatch(final Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Streams went to ERROR: noted, and logged once. */
    void failed() {
        synchronized (this) {
            if (errorSince != null) {
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
}
