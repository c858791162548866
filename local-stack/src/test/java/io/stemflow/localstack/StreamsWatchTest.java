package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Unit level: a real Kafka Streams ERROR (a stream thread dying more often than it may be replaced)
 * is hard to provoke on purpose, so the watch is driven by a state supplier. LocalStack registers
 * {@link StreamsWatch#problem()} as the gateway health condition {@value LocalStack#STREAMS_CONDITION} (DOWN).
 */
class StreamsWatchTest {

    @Test
    void shouldReportAProblemForHealthWhenStreamsGoesToError() {
        // given
        final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
        final StreamsWatch watch = new StreamsWatch(state::get,
                Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
        watch.check();
        assertThat(watch.problem()).isEmpty();

        // when
        state.set(KafkaStreams.State.PENDING_ERROR);
        watch.check();
        assertThat(watch.problem()).isEmpty();
        state.set(KafkaStreams.State.ERROR);
        watch.check();
        watch.check();

        // then
        assertThat(watch.problem()).hasValue("Kafka Streams is in ERROR since 2026-01-02T03:04:05Z; restart the stack");
        watch.close();
    }

    @Test
    void shouldReportNothingWhenStreamsRebalancesOrStops() {
        final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
        final StreamsWatch watch = new StreamsWatch(state::get, Clock.systemUTC());
        for (final KafkaStreams.State s : new KafkaStreams.State[] {KafkaStreams.State.REBALANCING,
                KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING}) {
            state.set(s);
            watch.check();
        }
        assertThat(watch.problem()).isEmpty();
        watch.close();
    }
}
