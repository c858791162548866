package io.stemflow.emulator.limit;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Credit balance per API key id. Charging is atomic: a balance never goes below zero. */
public final class CreditLedger {

    private final Map<String, AtomicLong> balances = new ConcurrentHashMap<>();

    public CreditLedger(final Collection<String> keyIds, final long initialCredits) {
        keyIds.forEach(id -> balances.put(id, new AtomicLong(initialCredits)));
    }

    public long balance(final String keyId) {
        return account(keyId).get();
    }

    /** Charges {@code cost} if the balance covers it; {@code false} (and no change) otherwise. */
    public boolean tryCharge(final String keyId, final long cost) {
        final AtomicLong account = account(keyId);
        while (true) {
            final long current = account.get();
            if (current < cost) {
                return false;
            }
            if (account.compareAndSet(current, current - cost)) {
                return true;
            }
        }
    }

    public void set(final String keyId, final long credits) {
        if (credits < 0) {
            throw new IllegalArgumentException("credits must not be negative, was " + credits);
        }
        account(keyId).set(credits);
    }

    /** Adds {@code amount} and returns the new balance. */
    public long topUp(final String keyId, final long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("top-up amount must not be negative, was " + amount);
        }
        return account(keyId).addAndGet(amount);
    }

    /** Balances by key id, sorted. */
    public Map<String, Long> balances() {
        final Map<String, Long> copy = new TreeMap<>();
        balances.forEach((id, balance) -> copy.put(id, balance.get()));
        return Collections.unmodifiableMap(copy);
    }

    private AtomicLong account(final String keyId) {
        final AtomicLong account = balances.get(keyId);
        if (account == null) {
            throw new IllegalArgumentException("no API key with id '" + keyId + "'");
        }
        return account;
    }
}
