package io.stemflow.pipeline.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts what the topology ignored or refused, so that duplicates, late results and forgeries are
 * visible (metric {@code stemflow_topology_events_total{event=...}}) as well as logged.
 */
public final class TopologyMetrics {

    /** Everything the topology counts. */
    public enum Event {
        INVALID_REQUEST, DUPLICATE_REQUEST, REPLAY_STARTED, REPLAY_REFUSED, STALE_DECISION, UNEXPECTED_OUTCOME,
        DUPLICATE_RESULT, TASK_MISMATCH, EARLY_RESULT, RECONCILIATION, TIMED_OUT, DUPLICATE_GRANT, INVALID_GRANT,
        IGNORED_CREDIT_COMMAND, CORRUPT_RECORD, INVALID_RECORD, PROCESSING_ERROR, UNWRITABLE_RECORD,
        JOB_RELEASED, JOB_HELD, JOB_CANCELLED, DUPLICATE_COMMAND, STALE_SCHEDULE
    }

    private final MeterRegistry registry;
    private final Map<Event, Counter> counters = new EnumMap<>(Event.class);

    public TopologyMetrics(final MeterRegistry registry) {
        this.registry = registry;
        for (final Event e : Event.values()) {
            counters.put(e, Counter.builder("stemflow_topology_events")
                    .description("Things the topology ignored, refused or did besides the happy path")
                    .tag("event", e.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
    }

    /** Metrics kept in memory only (tests, or when no registry is wired). */
    public static TopologyMetrics inMemory() {
        return new TopologyMetrics(new SimpleMeterRegistry());
    }

    public void count(final Event event) {
        counters.get(event).increment();
    }

    /** How many times {@code event} happened since start. */
    public long total(final Event event) {
        return (long) counters.get(event).count();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
