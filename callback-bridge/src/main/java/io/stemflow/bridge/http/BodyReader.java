package io.stemflow.bridge.http;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Reads a request body of at most {@code maxBytes} without holding a thread while bytes are awaited
 * (servlet non-blocking reads: Jetty calls back when bytes arrive), and within a deadline that no
 * pace of arrival extends. A client that trickles its body costs a connection and a few bytes of
 * buffer until the deadline, never a thread, so it cannot starve other callbacks or the health checks.
 *
 * <p>Invariants: the result completes exactly once, with the body, {@link TooLarge}, {@link TimedOut}
 * or {@link Broken}; nothing beyond {@code maxBytes} is ever buffered. An oversized body is read on
 * and dropped up to {@code 4 × maxBytes}, so that a client still sending gets to read the 413;
 * past that, or after a timeout, the caller closes the connection. Whether a body is declared
 * ({@code Content-Length}) or chunked, bytes are counted as they arrive.
 */
final class BodyReader {

    /** What reading a body came to. */
    sealed interface Result permits Body, TooLarge, TimedOut, Broken {
    }

    /** The whole body, within the limit and the deadline. */
    record Body(byte[] bytes) implements Result {
    }

    /** Over the limit; {@code drained}: read to its end, so the connection can stay open for the answer. */
    record TooLarge(boolean drained) implements Result {
    }

    /** The deadline passed before the body's end. */
    record TimedOut() implements Result {
    }

    /** The client broke off, or the body was not valid HTTP framing. */
    record Broken() implements Result {
    }

    private static final int CHUNK = 8192;

    private final int maxBytes;
    private final long drainLimit;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoTime;

    BodyReader(final int maxBytes, final ScheduledExecutorService timer, final LongSupplier nanoTime) {
        this.maxBytes = maxBytes;
        this.drainLimit = 4L * maxBytes;
        this.timer = timer;
        this.nanoTime = nanoTime;
    }

    int maxBytes() {
        return maxBytes;
    }

    /** True when the declared length is already over the limit. */
    boolean declaredTooLarge(final long contentLength) {
        return contentLength > maxBytes;
    }

    /** True when a body of this declared length is small enough to drain before answering 413. */
    boolean drainable(final long contentLength) {
        return contentLength <= drainLimit;
    }

    /** Nanoseconds left until {@code deadlineNanos} (a {@link System#nanoTime()} value); 0 or less when past. */
    long remaining(final long deadlineNanos) {
        return deadlineNanos - nanoTime.getAsLong();
    }

    /**
     * Starts reading {@code in} (the request must be in async mode) and completes the result by
     * {@code deadlineNanos} at the latest. The continuation runs on the thread that completes it: a
     * Jetty thread when the body ended, the timer's thread on a timeout.
     */
    CompletableFuture<Result> read(final ServletInputStream in, final long deadlineNanos) {
        final Reading reading = new Reading(in);
        final long left = remaining(deadlineNanos);
        if (left <= 0) {
            reading.result.complete(new TimedOut());
            return reading.result;
        }
        final ScheduledFuture<?> timeout = timer.schedule(() -> reading.result.complete(new TimedOut()), left,
                TimeUnit.NANOSECONDS);
        reading.result.whenComplete((result, error) -> timeout.cancel(false));
        in.setReadListener(reading);
        return reading.result;
    }

    /** One body being read: called back by Jetty, one callback at a time. */
    private final class Reading implements ReadListener {

        private final CompletableFuture<Result> result = new CompletableFuture<>();
        private final ServletInputStream in;
        private final byte[] buffer = new byte[CHUNK];
        private ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxBytes, CHUNK));
        private long total;

        Reading(final ServletInputStream in) {
            this.in = in;
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (!result.isDone() && in.isReady()) {
                final int read = in.read(buffer);
                if (read < 0) {
                    return; // onAllDataRead follows
                }
                total += read;
                if (total > drainLimit) {
                    result.complete(new TooLarge(false));
                    return;
                }
                if (total > maxBytes) {
                    body = null; // dropped: nothing beyond the limit is kept
                } else {
                    body.write(buffer, 0, read);
                }
            }
        }

        @Override
        public void onAllDataRead() {
            result.complete(body == null ? new TooLarge(true) : new Body(body.toByteArray()));
        }

        @Override
        public void onError(final Throwable failure) {
            result.complete(new Broken());
        }
    }
}
