package io.stemflow.gateway;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * The jobs of one {@link WorkLoop} waiting for a provider call, in dispatch order:
 * <ol>
 *   <li>jobs already started and waiting for their next call (a retry after a 500, or back in line after a
 *       430/455/429) come first, lowest consumption sequence first: they hold a place in the in-flight window and
 *       their partition's commit waits for them;</li>
 *   <li>then jobs never started: the more urgent class first ({@link JobHandler.Accept#rank}, lower first: the
 *       submitter's INTERACTIVE, then NORMAL, then BULK), then the lowest consumption sequence.</li>
 * </ol>
 * It also tells whether a never-started job is IN ORDER: no earlier job of its partition is still waiting to be
 * started. Jobs done (and not yet committed) behind a never-started job of their partition cannot be committed,
 * so the {@link Dispatcher} starts a job out of order only while that leaves a place of the window for an in-order
 * one: the window can never fill with jobs that all wait for a job that cannot start.
 *
 * <p>A job's place is fixed while it waits: its {@code started} flag changes only while it is out of the queue.
 * Loop thread only.
 */
final class DispatchQueue<V> implements Iterable<Job<V>> {

    private final TreeSet<Job<V>> queued = new TreeSet<>(Comparator
            .comparingInt((Job<V> job) -> job.started ? 0 : 1)
            .thenComparingInt(job -> job.started ? 0 : job.rank)
            .thenComparingLong(job -> job.sequence));
    /** Sequences of the never-started jobs waiting here, per partition. */
    private final Map<TopicPartition, TreeSet<Long>> neverStarted = new HashMap<>();

    /** Puts a job in line: newly consumed, or started and back for its next call. */
    void add(final Job<V> job) {
        queued.add(job);
        if (!job.started) {
            neverStarted.computeIfAbsent(job.partition, p -> new TreeSet<>()).add(job.sequence);
        }
    }

    /** Takes a waiting job out of line (abandoned); false when it was not waiting. */
    boolean remove(final Job<V> job) {
        if (!queued.remove(job)) {
            return false;
        }
        forget(job);
        return true;
    }

    /** Whether no earlier job of its partition waits to be started (always true for a started job). */
    boolean inOrder(final Job<V> job) {
        if (job.started) {
            return true;
        }
        final TreeSet<Long> waiting = neverStarted.get(job.partition);
        return waiting == null || waiting.isEmpty() || waiting.first() >= job.sequence;
    }

    /** The job that would be dispatched next. */
    Optional<Job<V>> first() {
        return queued.isEmpty() ? Optional.empty() : Optional.of(queued.first());
    }

    int size() {
        return queued.size();
    }

    /** In dispatch order; {@link Iterator#remove()} takes the job out of line (to start it or set it aside). */
    @Override
    public Iterator<Job<V>> iterator() {
        final Iterator<Job<V>> it = queued.iterator();
        return new Iterator<>() {
            private Job<V> last;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Job<V> next() {
                last = it.next();
                return last;
            }

            @Override
            public void remove() {
                it.remove();
                forget(last);
            }
        };
    }

    private void forget(final Job<V> job) {
        if (job.started) {
            return;
        }
        final TreeSet<Long> waiting = neverStarted.get(job.partition);
        if (waiting != null) {
            waiting.remove(job.sequence);
            if (waiting.isEmpty()) {
                neverStarted.remove(job.partition);
            }
        }
    }
}
