package io.stemflow.emulator.time;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Time that moves only when told to. {@link #advance(Duration)} runs every action that falls due, in due-time
 * order (ties in scheduling order), on the calling thread, with {@link #now()} set to the action's due time while
 * it runs; actions scheduled by those actions run too if they fall due before the target. Thread-safe.
 */
public final class ManualTime implements EmulatorTime {

    private final Object lock = new Object();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>(
            Comparator.comparing(Entry::due).thenComparingLong(Entry::sequence));
    private Instant now;
    private long sequence;
    private boolean closed;

    public ManualTime(final Instant start) {
        this.now = start;
    }

    @Override
    public Instant now() {
        synchronized (lock) {
            return now;
        }
    }

    @Override
    public Cancellable schedule(final Duration delay, final Runnable action) {
        synchronized (lock) {
            if (closed) {
                return () -> { };
            }
            final Entry entry = new Entry(now.plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, action);
            queue.add(entry);
            return () -> {
                synchronized (lock) {
                    queue.remove(entry);
                }
            };
        }
    }

    /** Moves time forward by {@code step}, running what falls due on the way. */
    public void advance(final Duration step) {
        final Instant target;
        synchronized (lock) {
            target = now.plus(step);
        }
        advanceTo(target);
    }

    /** Moves time forward to {@code target} (never backwards), running what falls due on the way. */
    public void advanceTo(final Instant target) {
        while (true) {
            final Entry next;
            synchronized (lock) {
                final Entry head = queue.peek();
                if (head == null || head.due().isAfter(target)) {
                    if (target.isAfter(now)) {
                        now = target;
                    }
                    return;
                }
                next = queue.poll();
                if (next.due().isAfter(now)) {
                    now = next.due();
                }
            }
            SystemTime.runLogged(next.action());
        }
    }

    /** How many actions are waiting. */
    public int pending() {
        synchronized (lock) {
            return queue.size();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            queue.clear();
        }
    }

    private record Entry(Instant due, long sequence, Runnable action) {
    }
}
