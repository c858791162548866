package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.Priority;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The dispatch order (retries first, then the more urgent class, then consumption order) and the in-order rule
 * the dispatcher uses to keep the window from stalling.
 */
class DispatchQueueTest {

    private static final TopicPartition P0 = new TopicPartition("admitted", 0);
    private static final TopicPartition P1 = new TopicPartition("admitted", 1);
    private static final int INTERACTIVE = SubmitHandler.rank(Priority.INTERACTIVE);
    private static final int NORMAL = SubmitHandler.rank(Priority.NORMAL);
    private static final int BULK = SubmitHandler.rank(Priority.BULK);

    private final DispatchQueue<String> queue = new DispatchQueue<>();
    private long sequence;

    @Test
    void shouldPutTheMoreUrgentClassFirstWhenJobsWereNeverStarted() {
        // given: consumed in this order
        final Job<String> bulk1 = job(P0, BULK);
        final Job<String> bulk2 = job(P1, BULK);
        final Job<String> normal = job(P0, NORMAL);
        final Job<String> interactive1 = job(P1, INTERACTIVE);
        final Job<String> interactive2 = job(P0, INTERACTIVE);
        List.of(bulk1, bulk2, normal, interactive1, interactive2).forEach(queue::add);

        // when / then
        assertThat(order()).containsExactly(interactive1, interactive2, normal, bulk1, bulk2);
        assertThat(queue.first()).contains(interactive1);
    }

    @Test
    void shouldPutJobsWaitingForAnotherCallFirstWhateverTheirClass() {
        // given: a BULK job that was called once and is back in line, and newer INTERACTIVE jobs
        final Job<String> retried = job(P0, BULK);
        final Job<String> interactive = job(P1, INTERACTIVE);
        retried.started = true;
        queue.add(interactive);
        queue.add(retried);

        // when / then
        assertThat(order()).containsExactly(retried, interactive);
    }

    @Test
    void shouldCountRankAsNormalWhenThePriorityIsUnknownOrMissing() {
        assertThat(SubmitHandler.rank(Priority.UNKNOWN)).isEqualTo(NORMAL);
        assertThat(SubmitHandler.rank(null)).isEqualTo(NORMAL);
        assertThat(INTERACTIVE).isLessThan(NORMAL);
        assertThat(NORMAL).isLessThan(BULK);
    }

    @Test
    void shouldTellAJobInOrderOnlyWhenNoEarlierJobOfItsPartitionWaitsToStart() {
        // given: partition 0 holds BULK then INTERACTIVE; partition 1 one INTERACTIVE
        final Job<String> bulk = job(P0, BULK);
        final Job<String> interactive = job(P0, INTERACTIVE);
        final Job<String> other = job(P1, INTERACTIVE);
        List.of(bulk, interactive, other).forEach(queue::add);

        // then
        assertThat(queue.inOrder(bulk)).isTrue();
        assertThat(queue.inOrder(interactive)).isFalse();
        assertThat(queue.inOrder(other)).isTrue();

        // when: the BULK job is taken out of line to be started
        final Iterator<Job<String>> it = queue.iterator();
        while (it.hasNext()) {
            if (it.next() == bulk) {
                it.remove();
            }
        }
        bulk.started = true;

        // then
        assertThat(queue.inOrder(interactive)).isTrue();
        assertThat(queue.size()).isEqualTo(2);
    }

    @Test
    void shouldForgetAnAbandonedJobWhenRemoved() {
        // given
        final Job<String> first = job(P0, BULK);
        final Job<String> second = job(P0, INTERACTIVE);
        queue.add(first);
        queue.add(second);

        // when
        assertThat(queue.remove(first)).isTrue();

        // then
        assertThat(queue.remove(first)).isFalse();
        assertThat(queue.inOrder(second)).isTrue();
        assertThat(order()).containsExactly(second);
    }

    private List<Job<String>> order() {
        final List<Job<String>> jobs = new ArrayList<>();
        queue.forEach(jobs::add);
        return jobs;
    }

    private Job<String> job(final TopicPartition partition, final int rank) {
        final long seq = sequence++;
        return new Job<>(partition, seq, seq, rank, "key-" + seq, "value-" + seq, new byte[0]);
    }
}
