package io.stemflow.localstack;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChildProcess} that is started again when it dies: its death is logged at once (an ERROR
 * naming it and its exit code), then it is restarted after a {@link RestartBackoff} delay, with the
 * same settings (so on the same port: URLs that others hold, like the gateway's callback URLs, keep
 * working). While it is down, {@link #problem()} says so, for the stack's health.
 *
 * <p>Invariants: at most one process of this child runs; after {@link #close()} none runs and none
 * is started (a restart in progress is interrupted, and its process stopped). Exits are noticed
 * through {@link Process#onExit()}, not by polling. Restarts run on one thread of their own.
 */
final class SupervisedChild implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SupervisedChild.class);

    private final String name;
    private final Supplier<ChildProcess> starter;
    private final ScheduledExecutorService restarts;
    private ChildProcess current;
    private RestartBackoff backoff;
    private String problem;
    private int restartCount;
    private boolean closed;

    private SupervisedChild(final String name, final Supplier<ChildProcess> starter, final RestartBackoff backoff) {
        this.name = name;
        this.starter = starter;
        this.backoff = backoff;
        this.restarts = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread t = new Thread(runnable, "stemflow-supervise-" + name.replace(' ', '-'));
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the child (blocking until it is healthy, or throwing) and watches it from then on. */
    static SupervisedChild start(final String name, final Supplier<ChildProcess> starter, final RestartBackoff backoff) {
        final SupervisedChild supervised = new SupervisedChild(name, starter, backoff);
        final ChildProcess first;
        try {
            first = starter.get();
        } catch (RuntimeException e) {
            supervised.restarts.shutdownNow();
            throw e;
        }
        supervised.watch(first);
        return supervised;
    }

    /** Empty while the child runs; otherwise why it does not (it died and waits for, or is in, a restart). */
    synchronized Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** The running process's id, or -1 while there is none. */
    synchronized long pid() {
        return current == null ? -1 : current.pid();
    }

    /** How many times the child was started again after dying. */
    synchronized int restarts() {
        return restartCount;
    }

    private synchronized void watch(final ChildProcess child) {
        current = child;
        problem = null;
        child.onExit().thenAccept(code -> exited(child, code));
    }

    private void exited(final ChildProcess child, final int code) {
        final RestartBackoff.Step step;
        synchronized (this) {
            if (closed || current != child) {
                return; // stopped on purpose
            }
            current = null;
            step = backoff.next(Duration.between(child.startedAt(), Instant.now()));
            backoff = step.then();
            problem = name + " exited with code " + code + "; restarting it";
        }
        LOG.error("{} (pid {}) exited with code {}; restarting it in {} ms; its log: {}", name, child.pid(), code,
                step.delay().toMillis(), child.log());
        schedule(step.delay());
    }

    private void schedule(final Duration delay) {
        synchronized (this) {
            if (closed) {
                return;
            }
            restarts.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void restart() {
        final ChildProcess child;
        try {
            child = starter.get();
        } catch (RuntimeException e) {
            final RestartBackoff.Step step;
            synchronized (this) {
                if (closed) {
                    return;
                }
                step = backoff.afterFailedStart();
                backoff = step.then();
                problem = name + " did not start again: " + e.getMessage();
            }
            LOG.error("{} did not start again; next attempt in {} ms", name, step.delay().toMillis(), e);
            schedule(step.delay());
            return;
        }
        final int count;
        synchronized (this) {
            if (closed) {
                child.close();
                return;
            }
            count = ++restartCount;
            watch(child);
        }
        LOG.info("{} restarted (pid {}, restart {})", name, child.pid(), count);
    }

    /** Stops restarting, then stops the running process (if any). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        restarts.shutdownNow(); // interrupts a restart that is waiting for the new process to be healthy
        try {
            if (!restarts.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("{}: a restart in progress did not end within 30 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final ChildProcess running;
        synchronized (this) {
            running = current; // read after the restart thread is done, so a child it just started is seen
            current = null;
        }
        if (running != null) {
            running.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
