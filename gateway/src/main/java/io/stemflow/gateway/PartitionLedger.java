package io.stemflow.gateway;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.kafka.common.TopicPartition;

/**
 * The uncommitted jobs of one assigned partition, in offset order, and the offset committed so far. Only the
 * prefix of DONE jobs may be committed: an offset is committed once every earlier job of the partition has its
 * outcome. Loop thread only.
 */
final class PartitionLedger<V> implements Iterable<Job<V>> {

    private final TopicPartition partition;
    private final ArrayDeque<Job<V>> jobs = new ArrayDeque<>();
    private long committed;

    PartitionLedger(final TopicPartition partition, final long committed) {
        this.partition = partition;
        this.committed = committed;
    }

    TopicPartition partition() {
        return partition;
    }

    /** The next offset to read after a rewind: the first one without a committed outcome. */
    long committed() {
        return committed;
    }

    void append(final Job<V> job) {
        jobs.addLast(job);
    }

    /** Number of leading DONE jobs. */
    int completedPrefix() {
        int n = 0;
        for (final Job<V> job : jobs) {
            if (job.state != Job.State.DONE) {
                break;
            }
            n++;
        }
        return n;
    }

    /** Removes the first {@code n} jobs (all DONE and now committed) and moves the committed offset past them. */
    void commitPrefix(final int n) {
        for (int i = 0; i < n; i++) {
            final Job<V> job = jobs.pollFirst();
            if (job == null || job.state != Job.State.DONE) {
                throw new IllegalStateException("commit of a job that is not done in " + partition);
            }
            committed = job.offset + 1;
        }
    }

    int size() {
        return jobs.size();
    }

    void clear() {
        jobs.clear();
    }

    @Override
    public Iterator<Job<V>> iterator() {
        return jobs.iterator();
    }
}
