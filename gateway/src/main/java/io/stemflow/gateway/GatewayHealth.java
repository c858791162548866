package io.stemflow.gateway;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The gateway's health, as a state object with no HTTP in it (the HTTP server only reads {@link #report()}).
 * Parts of the gateway register conditions: each says, when asked, whether something is wrong and why.
 * DOWN (configuration wrong, a loop stopped) answers 503; DEGRADED (throttled, maintenance, out of credits:
 * expected pauses the gateway recovers from by itself) answers 200 with the reason.
 */
public final class GatewayHealth {

    /** Worst first. */
    public enum Status { DOWN, DEGRADED, UP }

    /** Something wrong right now. */
    public record Condition(Status status, String reason) {
        public Condition {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The answer of {@code /health}: the worst status, its reason, and every active condition by name. */
    public record Report(Status status, String reason, Map<String, String> conditions) {
        public boolean healthy() {
            return status != Status.DOWN;
        }
    }

    private record Named(String name, Supplier<Optional<Condition>> check) {
    }

    private final List<Named> checks = new CopyOnWriteArrayList<>();

    /** Adds a condition; {@code check} must be cheap and thread-safe. */
    public void register(final String name, final Supplier<Optional<Condition>> check) {
        checks.add(new Named(Objects.requireNonNull(name, "name"), Objects.requireNonNull(check, "check")));
    }

    public Report report() {
        Status worst = Status.UP;
        String reason = "ok";
        final Map<String, String> active = new TreeMap<>();
        for (final Named named : checks) {
            final Optional<Condition> condition = named.check().get();
            if (condition.isEmpty()) {
                continue;
            }
            active.put(named.name(), condition.get().reason());
            if (condition.get().status().ordinal() < worst.ordinal()) {
                worst = condition.get().status();
                reason = condition.get().reason();
            }
        }
        return new Report(worst, reason, active);
    }
}
