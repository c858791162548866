package io.stemflow.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** Time that moves only when told to: a nano-time supplier and a {@link Clock} reading the same value. */
final class FakeTime extends Clock {

    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

    long nanoTime() {
        return nanos.get();
    }

    void advance(final Duration step) {
        nanos.addAndGet(step.toNanos());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.EPOCH.plusNanos(nanos.get());
    }
}
