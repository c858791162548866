package io.stemflow.cli.bench;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/** The acknowledgements of a run of sends: every send's callback is checked, none is taken as done without it. */
final class Acks implements Callback {

    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> first = new AtomicReference<>();

    @Override
    public void onCompletion(final RecordMetadata metadata, final Exception e) {
        if (e != null) {
            failed.incrementAndGet();
            first.compareAndSet(null, e);
        }
    }

    /**
     * Call after the producer's flush.
     *
     * @throws IllegalStateException saying how many of {@code what} were not acknowledged, and why the first was not
     */
    void check(final String what) {
        if (failed.get() > 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%,d %s were not acknowledged: %s", failed.get(),
                    what, first.get().getMessage()), first.get());
        }
    }
}
