package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Unit level: a real Kafka Streams ERROR (a stream thread dying more often than it may be replaced)
 * is hard to provoke on purpose, so the watch is told of it directly, as {@code PipelineStreams.whenFailed}
 * does. LocalStack registers {@link StreamsWatch#problem()} as the gateway health condition
 * {@value LocalStack#STREAMS_CONDITION} (DOWN).
 */
class StreamsWatchTest {

    @Test
    void shouldReportAProblemForHealthWhenStreamsGoesToError() {
        // given
        final StreamsWatch watch = new StreamsWatch(Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
        assertThat(watch.problem()).isEmpty();

        // when
        watch.failed();
        watch.failed();

        // then
        assertThat(watch.problem()).hasValue("Kafka Streams is in ERROR since 2026-01-02T03:04:05Z; restart the stack");
    }
}
