package io.stemflow.pipeline.topology;

import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import java.time.Duration;

/**
 * Which work a task takes first. A Kafka Streams task picks its next record by timestamp across its input
 * partitions (the smallest first), so the timestamps the topology gives its own internal records order its
 * work: events about jobs it already has (decisions, outcomes, results, the scheduler's releases and
 * cancels, credit captures and releases, grants) before any new request, and new requests by class,
 * INTERACTIVE before NORMAL before BULK. Each class of request travels on a repartition topic of its own,
 * so an INTERACTIVE request never waits behind a million BULK ones in one partition; and a manifest's
 * backlog of requests no longer holds up the decisions about its own first jobs (admission stood still
 * until the last request of a big manifest was read). Records other teams read (statuses, stems, admitted
 * jobs, dead letters) keep the wall-clock time.
 *
 * <p>The advances are far larger than any backlog the topology works through (a million requests take
 * minutes) and far smaller than the retention of the topics they travel on (repartition topics keep
 * records until Streams purges them; the internal topics keep them 30 days).
 */
final class WorkOrder {

    /** How far before the wall clock each kind of work is stamped. */
    static final Duration FOLLOW_UP_ADVANCE = Duration.ofDays(3);
    static final Duration INTERACTIVE_ADVANCE = Duration.ofDays(2);
    static final Duration NORMAL_ADVANCE = Duration.ofDays(1);

    private WorkOrder() {
    }

    /** The class a request is scheduled in: its priority, NORMAL when absent or unknown to this version. */
    static Priority classOf(final SeparationRequest request) {
        return classOf(request == null ? null : request.getPriority());
    }

    static Priority classOf(final Priority priority) {
        return priority == null || priority == Priority.UNKNOWN ? Priority.NORMAL : priority;
    }

    /** The timestamp of an event about a job stemflow already has. */
    static long followUp(final long now) {
        return now - FOLLOW_UP_ADVANCE.toMillis();
    }

    /** The timestamp of a new request of class {@code priority}. */
    static long newRequest(final Priority priority, final long now) {
        return switch (priority) {
            case INTERACTIVE -> now - INTERACTIVE_ADVANCE.toMillis();
            case BULK -> now;
            default -> now - NORMAL_ADVANCE.toMillis();
        };
    }
}
