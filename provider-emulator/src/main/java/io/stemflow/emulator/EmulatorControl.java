package io.stemflow.emulator;

import io.stemflow.emulator.core.EmulatorState;
import io.stemflow.emulator.limit.MaintenanceSchedule;
import io.stemflow.emulator.task.EmulatedTask;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

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

    // ---- faults

    public FaultShares faults() {
        return state.faults();
    }

    /** Applies to calls and tasks accepted from now on (a task's faults are drawn when it is accepted). */
    public void setFaults(final FaultShares shares) {
        state.setFaults(shares);
    }

    // ---- link expiry

    public LinkExpiry linkExpiry() {
        return state.linkExpiry();
    }

    /**
     * Applies to tasks accepted from now on (a task's link fate is drawn when it is accepted, from its seeded
     * stream); tasks already accepted keep theirs. {@link LinkExpiry#goneShare()} is a share of the early-expiring
     * tasks.
     */
    public void setLinkExpiry(final LinkExpiry value) {
        state.setLinkExpiry(value);
    }

    /** The link fate of the task {@code taskId} (any key's); empty for an unknown id. */
    public Optional<LinkFate> linkFate(final String taskId) {
        return state.tasks().byId(taskId).map(task -> task.plan().links().fate());
    }

    /** The link fate of every accepted task, by task id (sorted). */
    public Map<String, LinkFate> linkFates() {
        final Map<String, LinkFate> fates = new TreeMap<>();
        for (final EmulatedTask task : state.tasks().all()) {
            fates.put(task.id(), task.plan().links().fate());
        }
        return Collections.unmodifiableMap(fates);
    }

    /**
     * Ids of the tasks whose links expire early, the gone ones included (sorted). The others of them come out
     * of a refresh through record-info with their files; compare {@link #goneTaskIds()}.
     */
    public Set<String> earlyExpiringTaskIds() {
        return idsWhere(LinkFate::expiresEarly);
    }

    /** Ids of the gone tasks (sorted): once their links expired, record-info answers 400 and no file is served. */
    public Set<String> goneTaskIds() {
        return idsWhere(fate -> fate == LinkFate.GONE);
    }

    private Set<String> idsWhere(final Predicate<LinkFate> which) {
        final Set<String> ids = new TreeSet<>();
        linkFates().forEach((id, fate) -> {
            if (which.test(fate)) {
                ids.add(id);
            }
        });
        return Collections.unmodifiableSet(ids);
    }

    // ---- answer mode

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
