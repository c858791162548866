package io.stemflow.emulator.counter;

import io.stemflow.emulator.EmulatorCounters;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live, thread-safe counters behind {@link EmulatorCounters} snapshots. */
public final class CounterSet {

    private final Map<Integer, LongAdder> requestsByCode = new ConcurrentHashMap<>();
    private final LongAdder tasksAccepted = new LongAdder();
    private final LongAdder tasksSucceeded = new LongAdder();
    private final LongAdder tasksFailed = new LongAdder();
    private final LongAdder creditsCharged = new LongAdder();
    private final LongAdder callbacksAttempted = new LongAdder();
    private final LongAdder callbacksDelivered = new LongAdder();
    private final LongAdder callbackAttemptsFailed = new LongAdder();
    private final LongAdder callbacksGivenUp = new LongAdder();
    private final LongAdder callbacksLost = new LongAdder();
    private final LongAdder callbacksDuplicated = new LongAdder();
    private final LongAdder callbacksLate = new LongAdder();
    private final AtomicInteger highestRequestsInWindow = new AtomicInteger();
    private final LongAdder filesServed = new LongAdder();
    private final LongAdder fileRequestsExpired = new LongAdder();
    private final LongAdder linksRefreshed = new LongAdder();
    private final LongAdder recordInfoGone = new LongAdder();

    public void request(final int code) {
        requestsByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    public void taskAccepted(final long credits) {
        tasksAccepted.increment();
        creditsCharged.add(credits);
    }

    public void taskCompleted(final boolean success) {
        (success ? tasksSucceeded : tasksFailed).increment();
    }

    public void callbackAttempted() {
        callbacksAttempted.increment();
    }

    public void callbackDelivered() {
        callbacksDelivered.increment();
    }

    public void callbackAttemptFailed() {
        callbackAttemptsFailed.increment();
    }

    public void callbackGivenUp() {
        callbacksGivenUp.increment();
    }

    public void callbackLost() {
        callbacksLost.increment();
    }

    public void callbackDuplicated() {
        callbacksDuplicated.increment();
    }

    public void callbackLate() {
        callbacksLate.increment();
    }

    /** Records that a window now holds {@code acceptedInWindow} accepted requests. */
    public void windowObserved(final int acceptedInWindow) {
        highestRequestsInWindow.accumulateAndGet(acceptedInWindow, Math::max);
    }

    public void fileServed() {
        filesServed.increment();
    }

    public void fileExpired() {
        fileRequestsExpired.increment();
    }

    public void linksRefreshed() {
        linksRefreshed.increment();
    }

    public void recordInfoGone() {
        recordInfoGone.increment();
    }

    public EmulatorCounters snapshot() {
        final Map<Integer, Long> byCode = new TreeMap<>();
        requestsByCode.forEach((code, count) -> byCode.put(code, count.sum()));
        return new EmulatorCounters(byCode, tasksAccepted.sum(), tasksSucceeded.sum(), tasksFailed.sum(),
                creditsCharged.sum(), callbacksAttempted.sum(), callbacksDelivered.sum(),
                callbackAttemptsFailed.sum(), callbacksGivenUp.sum(), callbacksLost.sum(), callbacksDuplicated.sum(),
                callbacksLate.sum(), highestRequestsInWindow.get(), filesServed.sum(), fileRequestsExpired.sum(),
                linksRefreshed.sum(), recordInfoGone.sum());
    }

    /** Zeroes every counter (not atomic with respect to concurrent updates: reset between runs). */
    public void reset() {
        requestsByCode.clear();
        for (final LongAdder adder : new LongAdder[] {tasksAccepted, tasksSucceeded, tasksFailed, creditsCharged,
                callbacksAttempted, callbacksDelivered, callbackAttemptsFailed, callbacksGivenUp, callbacksLost,
                callbacksDuplicated, callbacksLate, filesServed, fileRequestsExpired, linksRefreshed, recordInfoGone}) {
            adder.reset();
        }
        highestRequestsInWindow.set(0);
    }
}
