package io.stemflow.pipeline.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * An account's share (store queue-shares): its weight, its optional cap, and when it was last handed jobs
 * (at most {@code capCalls} times kept, only while it has a cap).
 */
public record AccountShareState(int weight, Integer capCalls, Long capWindowMillis, List<Long> recent) {

    static final AccountShareState DEFAULT = new AccountShareState(1, null, null, List.of());

    public AccountShareState {
        recent = recent == null ? List.of() : List.copyOf(recent);
    }

    boolean capped() {
        return capCalls != null && capWindowMillis != null;
    }

    /** Whether one more job may be handed on at {@code now} without passing the cap. */
    boolean allows(final long now) {
        if (!capped()) {
            return true;
        }
        final long since = now - capWindowMillis;
        return recent.stream().filter(t -> t > since).count() < capCalls;
    }

    /** When the cap next lets a job through, or {@code now} when it does already. */
    long freeAt(final long now) {
        if (allows(now)) {
            return now;
        }
        return recent.get(recent.size() - capCalls) + capWindowMillis + 1;
    }

    AccountShareState handedOn(final long now) {
        if (!capped()) {
            return this;
        }
        final List<Long> next = new ArrayList<>(recent);
        next.add(now);
        while (next.size() > capCalls) {
            next.remove(0);
        }
        return new AccountShareState(weight, capCalls, capWindowMillis, next);
    }

    AccountShareState with(final int newWeight, final Integer newCapCalls, final Long newCapWindowMillis) {
        final boolean sameCap = java.util.Objects.equals(newCapCalls, capCalls)
                && java.util.Objects.equals(newCapWindowMillis, capWindowMillis);
        return new AccountShareState(newWeight, newCapCalls, newCapWindowMillis, sameCap ? recent : List.of());
    }
}
