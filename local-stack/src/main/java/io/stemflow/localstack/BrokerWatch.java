package io.stemflow.localstack;

import io.stemflow.kafka.embedded.EmbeddedKafka;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the local stack's broker died. A broker that exits while the stack is not closing is fatal until it is
 * started again: {@link #failure()} completes with a message saying so, and {@link #restarted()} (the broker is
 * back) arms a new one, so a stack whose broker was restarted on purpose, as the chaos run does, reports no
 * failure. On a cluster, "died" is losing the controller quorum ({@link EmbeddedKafka#onExit()}).
 */
final class BrokerWatch {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerWatch.class);

    private final EmbeddedKafka kafka;
    private final AtomicBoolean closing;
    private final AtomicReference<CompletableFuture<String>> failure = new AtomicReference<>(new CompletableFuture<>());

    private BrokerWatch(final EmbeddedKafka kafka, final AtomicBoolean closing) {
        this.kafka = kafka;
        this.closing = closing;
    }

    /** Watches {@code kafka}; with no embedded broker (an external cluster), a watch that never fails. */
    static BrokerWatch of(final EmbeddedKafka kafka, final AtomicBoolean closing) {
        final BrokerWatch watch = new BrokerWatch(kafka, closing);
        if (kafka != null) {
            watch.watch(watch.failure.get());
        }
        return watch;
    }

    /** Completes, with a message for the user, when the broker dies; a copy, so callers cannot complete it. */
    CompletableFuture<String> failure() {
        return failure.get().copy();
    }

    /** Whether the broker is dead now (died and not started again). */
    boolean failed() {
        return failure.get().isDone();
    }

    /** The broker runs again: what {@link #failure()} returns from now on completes only if it dies again. */
    void restarted() {
        if (kafka == null) {
            return;
        }
        final CompletableFuture<String> fresh = new CompletableFuture<>();
        final CompletableFuture<String> before = failure.getAndSet(fresh);
        watch(fresh);
        if (before.isDone()) {
            LOG.info("The Kafka broker runs again (pid {}); the stack no longer reports it dead", kafka.pid());
        }
    }

    private void watch(final CompletableFuture<String> target) {
        final long pid = kafka.pid();
        kafka.onExit().thenAccept(code -> {
            if (closing.get() || failure.get() != target) {
                return;
            }
            final String message = "the Kafka broker (pid " + pid + ") exited with code " + code
                    + "; the stack cannot run without it. Its log: " + kafka.dataDir().resolve("broker.log");
            LOG.error("{}", message);
            target.complete(message);
        });
    }
}
