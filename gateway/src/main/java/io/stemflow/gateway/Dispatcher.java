package io.stemflow.gateway;

import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs of one {@link WorkLoop} waiting for a provider call, and the calls: which job goes next, the pool of
 * {@code window} workers the calls run on, and the queue their replies come back through. Invariants:
 * <ul>
 *   <li>jobs are dispatched in the {@link DispatchQueue}'s order: jobs waiting for another call (retries) first,
 *       then never-started jobs by class (the submitter's INTERACTIVE, NORMAL, BULK), each in consumption order;</li>
 *   <li>a never-started job that is not the first never-started job of its partition (it overtakes an earlier one)
 *       starts only while it leaves a place of the window free: started jobs waiting for an earlier job of their
 *       partition to start can then never fill the window, so the window cannot stall (its jobs are committed only
 *       past their partition's leading done jobs);</li>
 *   <li>at most {@code window} calls are out at once, side calls included, and every call passes the
 *       {@link ProviderGate};</li>
 *   <li>at most {@code window} jobs are started (at least one call made) and neither committed nor abandoned, so
 *       after a crash at most {@code window} jobs are submitted to the provider again;</li>
 *   <li>a reply is applied on the loop thread, and ignored when its job was abandoned meanwhile.</li>
 * </ul>
 * Owns the counters of calls out and of jobs started and uncommitted (gauges {@code stemflow.gateway.in.flight}
 * and {@code stemflow.gateway.started.uncommitted}). Loop thread only, except the calls themselves: a worker runs
 * {@link JobHandler#call} (or a side call), tells the gate, and queues the reply for {@link #drainReplies}.
 */
final class Dispatcher<V> {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final String role;
    private final int window;
    private final JobHandler<V> handler;
    private final ProviderGate gate;
    private final SetAside setAside;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;
    private final ExecutorService workers;
    private final BlockingQueue<Runnable> replies = new LinkedBlockingQueue<>();
    private final DispatchQueue<V> queued = new DispatchQueue<>();
    private final AtomicInteger callsOut = new AtomicInteger();
    private final AtomicInteger startedUncommitted = new AtomicInteger();
    private final Control control = new Control();

    Dispatcher(final String role, final int window, final JobHandler<V> handler, final ProviderGate gate,
               final SetAside setAside, final LongSupplier nanoTime, final GatewayMetrics metrics) {
        this.role = role;
        this.window = window;
        this.handler = handler;
        this.gate = gate;
        this.setAside = setAside;
        this.nanoTime = nanoTime;
        this.metrics = metrics;
        this.workers = Executors.newFixedThreadPool(window, named("stemflow-" + role + "-call"));
        metrics.gauge("stemflow.gateway.in.flight", "Provider calls out now", callsOut::get, "loop", role);
        metrics.gauge("stemflow.gateway.started.uncommitted",
                "Jobs started at the provider and not yet committed (bounded by the in-flight window)",
                startedUncommitted::get, "loop", role);
    }

    /** Puts a newly consumed job in line (behind every job of its class consumed before it). */
    void enqueue(final Job<V> job) {
        queued.add(job);
    }

    /** The handler's turn to make side calls (e.g. credit polls). */
    void tick(final long now) {
        handler.tick(now, control);
    }

    /** Whether any call (a job's or a side call) is at the provider. */
    boolean callsOut() {
        return callsOut.get() > 0;
    }

    /** Starts every job the window and the gate allow; returns a hint of how long until more may go. */
    long dispatch(final long now) {
        long hint = Long.MAX_VALUE;
        final Iterator<Job<V>> it = queued.iterator();
        while (it.hasNext()) {
            final Job<V> job = it.next();
            if (job.notBefore - now > 0) {
                hint = Math.min(hint, job.notBefore - now);
                continue;
            }
            if (!job.started) {
                final int free = window - startedUncommitted.get();
                if (free < 1 || free < 2 && !queued.inOrder(job)) {
                    continue;
                }
            }
            if (callsOut.get() >= window) {
                break;
            }
            final boolean mayStart;
            try {
                mayStart = handler.mayStart(job, now);
            } catch (RuntimeException e) {
                it.remove();
                setAside.job(job, "deciding whether to start it", e);
                continue;
            }
            if (!mayStart) {
                hint = Math.min(hint, handler.nanosUntilTick(now));
                break;
            }
            final ProviderGate.Admission admission = gate.tryAdmit(handler.endpoint());
            if (!admission.granted()) {
                if (job.waitingSince == 0) {
                    job.waitingSince = now;
                }
                hint = Math.min(hint, gate.nanosUntilRetry(admission.denial()));
                break;
            }
            it.remove();
            start(job, admission.permit(), now);
        }
        return hint;
    }

    /** Applies every reply that has come back. */
    void drainReplies() {
        Runnable reply;
        while ((reply = replies.poll()) != null) {
            reply.run();
        }
    }

    /** At shutdown: applies replies as they come until no call is out or {@code deadline} (nano time) passes. */
    void awaitCalls(final long deadline) {
        while (callsOut.get() > 0 && deadline - nanoTime.getAsLong() > 0) {
            try {
                final Runnable reply = replies.poll(Math.max(1, deadline - nanoTime.getAsLong()),
                        TimeUnit.NANOSECONDS);
                if (reply != null) {
                    reply.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        drainReplies();
    }

    /** A committed job leaves the window. */
    void committed(final Job<V> job) {
        if (job.started) {
            startedUncommitted.decrementAndGet();
        }
    }

    /** Drops a job that will not be committed (partition gone, transaction rewound); a reply still out is ignored. */
    void abandon(final Job<V> job) {
        committed(job);
        if (job.state == Job.State.QUEUED) {
            queued.remove(job);
        }
        job.state = Job.State.ABANDONED;
    }

    /** Stops the workers; replies still out are lost (their jobs are read again). */
    void close() {
        workers.shutdownNow();
    }

    private void start(final Job<V> job, final ProviderGate.Permit permit, final long now) {
        if (job.waitingSince != 0) {
            metrics.limiterWait(role, now - job.waitingSince);
            job.waitingSince = 0;
        }
        job.state = Job.State.CALLING;
        job.calls++;
        if (!job.started) {
            job.started = true;
            startedUncommitted.incrementAndGet();
        }
        final V value = job.value;
        submitCall(permit, () -> handler.call(value), reply -> onReply(job, reply));
    }

    private void submitCall(final ProviderGate.Permit permit, final Supplier<ProviderReply<?>> call,
                            final Consumer<ProviderReply<?>> onReply) {
        callsOut.incrementAndGet();
        workers.execute(() -> {
            ProviderReply<?> reply;
            try {
                reply = call.get();
            } catch (RuntimeException e) {
                reply = new ProviderReply.Unreachable<>(ProviderReply.Failure.CONNECTION,
                        "provider client failed: " + e.getClass().getSimpleName());
            }
            gate.complete(permit, reply);
            final ProviderReply<?> answer = reply;
            replies.add(() -> {
                callsOut.decrementAndGet();
                onReply.accept(answer);
            });
        });
    }

    private void onReply(final Job<V> job, final ProviderReply<?> reply) {
        if (job.state != Job.State.CALLING) {
            return; // abandoned by a rebalance or a rewind
        }
        final long now = nanoTime.getAsLong();
        final JobHandler.Step step;
        try {
            step = handler.onReply(job, reply, now);
        } catch (RuntimeException e) {
            setAside.job(job, "handling the provider's reply (" + reply.codeLabel() + ")", e);
            return;
        }
        if (step instanceof JobHandler.Done done) {
            job.state = Job.State.DONE;
            job.outputs = List.copyOf(done.outputs());
        } else if (step instanceof JobHandler.RetryAfter retry) {
            job.state = Job.State.QUEUED;
            job.notBefore = now + retry.nanos();
            metrics.backoff("retry", retry.nanos());
            queued.add(job);
        } else {
            job.state = Job.State.QUEUED;
            job.notBefore = now;
            queued.add(job);
        }
    }

    private static ThreadFactory named(final String prefix) {
        final AtomicInteger n = new AtomicInteger();
        return r -> {
            final Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The dispatcher as seen by its handler's {@link JobHandler#tick}. */
    private final class Control implements JobHandler.LoopControl<V> {

        @Override
        public Optional<Job<V>> nextQueued() {
            return queued.first();
        }

        @Override
        public int waiting() {
            return queued.size();
        }

        @Override
        public boolean sideCall(final Endpoint endpoint, final Supplier<ProviderReply<?>> call,
                                final Consumer<ProviderReply<?>> onReply) {
            if (callsOut.get() >= window) {
                return false;
            }
            final ProviderGate.Admission admission = gate.tryAdmit(endpoint);
            if (!admission.granted()) {
                return false;
            }
            submitCall(admission.permit(), call, reply -> {
                try {
                    onReply.accept(reply);
                } catch (RuntimeException e) {
                    LOG.error("{}: handling the reply of a side call to {} failed; going on", role, endpoint, e);
                }
            });
            return true;
        }
    }
}
