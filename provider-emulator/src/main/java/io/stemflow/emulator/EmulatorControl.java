package io.stemflow.emulator;

import io.stemflow.emulator.core.EmulatorState;
import io.stemflow.emulator.limit.MaintenanceSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Changes the emulator's knobs at runtime and reads its counters. The HTTP admin API ({@code /admin/...}) is a
 * thin layer over this class, so both behave the same. API keys are named either by the key itself (never
 * logged or echoed) or by its id ({@link Secret#id()}, shown in counters and logs).
 */
public final class EmulatorControl {

    private final EmulatorState state;

    EmulatorControl(final EmulatorState state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    /** The id of {@code apiKey}. @throws IllegalArgumentException when it is not an accepted key */
    public String keyId(final String apiKey) {
        return state.apiKeys().idOf(apiKey)
                .orElseThrow(() -> new IllegalArgumentException("not an accepted API key"));
    }

    /** Ids of all accepted API keys, in configuration order. */
    public List<String> keyIds() {
        return state.apiKeys().ids();
    }

    // ---- credits

    public long credits(final String apiKey) {
        return state.credits().balance(keyId(apiKey));
    }

    /** Balances by key id. */
    public Map<String, Long> creditsByKeyId() {
        return state.credits().balances();
    }

    public void setCredits(final String apiKey, final long credits) {
        setCreditsByKeyId(keyId(apiKey), credits);
    }

    public void setCreditsByKeyId(final String keyId, final long credits) {
        state.credits().set(keyId, credits);
    }

    /** Adds credits and returns the new balance. */
    public long topUp(final String apiKey, final long amount) {
        return topUpByKeyId(keyId(apiKey), amount);
    }

    public long topUpByKeyId(final String keyId, final long amount) {
        return state.credits().topUp(keyId, amount);
    }

    // ---- rate window

    public RateLimit rateLimit() {
        return state.limiter().limit();
    }

    public void setRateLimit(final RateLimit limit) {
        state.limiter().setLimit(limit);
    }

    // ---- maintenance

    /** Whether API calls are answered 455 right now (manual switch or a scheduled window). */
    public boolean maintenanceActive() {
        return state.maintenance().active();
    }

    /** The manual switch. */
    public boolean maintenance() {
        return state.maintenance().manual();
    }

    public void setMaintenance(final boolean on) {
        state.maintenance().setManual(on);
    }

    /** Adds a maintenance window {@code [start, start + length)} on the emulator's clock. */
    public void scheduleMaintenance(final Instant start, final Duration length) {
        state.maintenance().schedule(start, length);
    }

    /** Adds a maintenance window starting {@code startIn} from now. */
    public void scheduleMaintenanceIn(final Duration startIn, final Duration length) {
        scheduleMaintenance(state.time().now().plus(startIn), length);
    }

    /** Windows not yet ended. */
    public List<MaintenanceSchedule.Window> maintenanceWindows() {
        return state.maintenance().windows();
    }

    /** Removes every window and turns the manual switch off. */
    public void clearMaintenance() {
        state.maintenance().clear();
    }

    // ---- 430 bursts

    /**
     * Adds a 430 burst {@code [now + startIn, now + startIn + length)}: every authenticated call inside it is
     * answered 430 (too frequent) whatever the rate window holds, as a provider throttling everyone for a while.
     * Maintenance (455) still comes first; a refused call does not consume the rate window.
     */
    public void scheduleBurstIn(final Duration startIn, final Duration length) {
        state.bursts().schedule(state.time().now().plus(startIn), length);
    }

    /** Whether calls are answered 430 right now because of a scheduled burst. */
    public boolean burstActive() {
        return state.bursts().active();
    }

    /** Bursts not yet ended. */
    public List<MaintenanceSchedule.Window> burstWindows() {
        return state.bursts().windows();
    }

    /** Removes every scheduled burst. */
    public void clearBursts() {
        state.bursts().clear();
    }

    // ---- faults and answer mode

    public FaultShares faults() {
        return state.faults();
    }

    /** Applies to calls and tasks accepted from now on (a task's faults are drawn when it is accepted). */
    public void setFaults(final FaultShares shares) {
        state.setFaults(shares);
    }

    public boolean httpStatusMirrorsCode() {
        return state.httpStatusMirrorsCode();
    }

    /** true: HTTP status = the body's code; false: HTTP 200 with the code only in the body. */
    public void setHttpStatusMirrorsCode(final boolean mirrors) {
        state.setHttpStatusMirrorsCode(mirrors);
    }

    // ---- counters

    public EmulatorCounters counters() {
        return state.counters().snapshot();
    }

    public void resetCounters() {
        state.counters().reset();
    }

    /** The seed in use (log it with a failing test to replay it). */
    public long seed() {
        return state.config().seed();
    }

    /** Number of tasks accepted since start (not reset with the counters). */
    public int taskCount() {
        return state.tasks().size();
    }
}
