package io.stemflow.emulator.limit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * When the provider is "in maintenance" (every API call answers 455): a manual switch, plus scheduled windows
 * {@code [start, end)}. Windows that ended are forgotten when the schedule is read. The emulator's 430 bursts
 * (every call answered "too frequent" for a while) are scheduled windows of a second instance.
 */
public final class MaintenanceSchedule {

    /** One scheduled window, start inclusive, end exclusive. */
    public record Window(Instant start, Instant end) {
        public Window {
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("maintenance window must end after it starts: " + start + " .. " + end);
            }
        }

        boolean covers(final Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }

    private final Supplier<Instant> clock;
    private final List<Window> windows = new ArrayList<>();
    private boolean manual;

    public MaintenanceSchedule(final boolean initiallyOn, final Supplier<Instant> clock) {
        this.manual = initiallyOn;
        this.clock = clock;
    }

    public synchronized boolean active() {
        final Instant now = clock.get();
        windows.removeIf(w -> !w.end().isAfter(now));
        return manual || windows.stream().anyMatch(w -> w.covers(now));
    }

    public synchronized boolean manual() {
        return manual;
    }

    public synchronized void setManual(final boolean on) {
        manual = on;
    }

    /** Adds a window {@code [start, start + length)}. */
    public synchronized Window schedule(final Instant start, final Duration length) {
        final Window window = new Window(start, start.plus(length));
        windows.add(window);
        return window;
    }

    /** Removes every scheduled window and turns the manual switch off. */
    public synchronized void clear() {
        windows.clear();
        manual = false;
    }

    public synchronized List<Window> windows() {
        final Instant now = clock.get();
        windows.removeIf(w -> !w.end().isAfter(now));
        return List.copyOf(windows);
    }
}
