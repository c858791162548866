package io.stemflow.bridge;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The signed callbacks this bridge instance has taken, for as long as their signature may be used
 * again: the provider's signature covers {@code task_id.timestamp} only, not the body, so within the
 * allowed age a captured callback could be sent again, or sent with other stem URLs. Each signed
 * callback is remembered by what was signed ({@code task_id}, {@code timestamp}, hence its signature)
 * with a fingerprint of what was not (the requestId of its URL and its body):
 * <ul>
 *   <li>a signature not seen yet is {@link Verdict#FIRST}: the caller claims it, publishes, then
 *       {@link #stored}s it, or {@link #release}s it when the publish failed (so the provider's retry
 *       of the same callback is stored, not taken for a replay);</li>
 *   <li>the same signature with the same fingerprint, once stored, is {@link Verdict#REPEAT}: an
 *       idempotent 200 with nothing produced; while the first is still being published it is
 *       {@link Verdict#FIRST} again (both publish; the topology keeps one);</li>
 *   <li>the same signature with another fingerprint is {@link Verdict#CONFLICT}: a replay with
 *       another body or to another URL, refused 401;</li>
 *   <li>when {@code maxEntries} signatures are remembered and none has expired, {@link Verdict#FULL}:
 *       refused (503), never an unbounded cache.</li>
 * </ul>
 *
 * <p>Invariants: an entry lives until its timestamp plus {@code maxAge} (past that the signature is stale and
 * refused before this cache is asked), at most {@code maxEntries} entries, 32-byte keys and fingerprints
 * whatever the size of the task id or body. Per instance: several bridge instances each remember what
 * they took. Thread-safe (one lock; each call is a hash lookup plus the expired entries it removes).
 */
public final class ReplayCache {

    /** What a signed callback is, given what this instance has taken. */
    public enum Verdict { FIRST, REPEAT, CONFLICT, FULL }

    private final Duration maxAge;
    private final int maxEntries;
    private final Clock clock;
    private final Map<ByteBuffer, Entry> entries = new HashMap<>();
    private final PriorityQueue<Entry> byExpiry = new PriorityQueue<>((a, b) -> Long.compare(a.expiresAt, b.expiresAt));

    public ReplayCache(final Duration maxAge, final int maxEntries, final Clock clock) {
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.maxEntries = maxEntries;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The key and fingerprint of one signed callback. */
    public record Signed(ByteBuffer key, ByteBuffer fingerprint, long timestampSeconds) {

        /**
         * @param taskId    {@code data.task_id}, as signed
         * @param timestamp the {@code X-Webhook-Timestamp} text as signed (trimmed), unix seconds
         * @param requestId the requestId of the callback's URL
         * @param body      the body as received
         */
        public static Signed of(final String taskId, final String timestamp, final String requestId, final byte[] body) {
            final MessageDigest key = sha256();
            key.update((taskId + "." + timestamp).getBytes(StandardCharsets.UTF_8));
            final MessageDigest fingerprint = sha256();
            final byte[] id = requestId.getBytes(StandardCharsets.UTF_8);
            fingerprint.update(ByteBuffer.allocate(Integer.BYTES).putInt(id.length).array());
            fingerprint.update(id);
            fingerprint.update(body);
            return new Signed(ByteBuffer.wrap(key.digest()), ByteBuffer.wrap(fingerprint.digest()),
                    Long.parseLong(timestamp));
        }
    }

    /** What this instance knows of {@code signed}; a {@link Verdict#FIRST} is a claim, to be stored or released. */
    public synchronized Verdict claim(final Signed signed) {
        final long now = clock.millis();
        expire(now);
        final Entry known = entries.get(signed.key());
        if (known != null) {
            if (!known.fingerprint.equals(signed.fingerprint())) {
                return Verdict.CONFLICT;
            }
            return known.stored ? Verdict.REPEAT : Verdict.FIRST;
        }
        if (entries.size() >= maxEntries) {
            return Verdict.FULL;
        }
        final Entry entry = new Entry(signed.key(), signed.fingerprint(),
                Math.addExact(signed.timestampSeconds() * 1000, maxAge.toMillis() + 1000));
        entries.put(entry.key, entry);
        byExpiry.add(entry);
        return Verdict.FIRST;
    }

    /** The claimed callback is in Kafka: from now on the same one again is a {@link Verdict#REPEAT}. */
    public synchronized void stored(final Signed signed) {
        final Entry known = entries.get(signed.key());
        if (known != null && known.fingerprint.equals(signed.fingerprint())) {
            known.stored = true;
        } else if (known == null && entries.size() < maxEntries) {
            final Entry entry = new Entry(signed.key(), signed.fingerprint(),
                    Math.addExact(signed.timestampSeconds() * 1000, maxAge.toMillis() + 1000));
            entry.stored = true;
            entries.put(entry.key, entry);
            byExpiry.add(entry);
        }
    }

    /** The claimed callback was not stored (503, 500): forget the claim unless the same callback got stored meanwhile. */
    public synchronized void release(final Signed signed) {
        final Entry known = entries.get(signed.key());
        if (known != null && !known.stored && known.fingerprint.equals(signed.fingerprint())) {
            entries.remove(signed.key());
            byExpiry.remove(known);
        }
    }

    /** Signatures remembered now. */
    public synchronized int size() {
        expire(clock.millis());
        return entries.size();
    }

    public int maxEntries() {
        return maxEntries;
    }

    private void expire(final long nowMillis) {
        Entry oldest;
        while ((oldest = byExpiry.peek()) != null && oldest.expiresAt <= nowMillis) {
            byExpiry.poll();
            entries.remove(oldest.key, oldest);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available for the replay cache", e);
        }
    }

    private static final class Entry {
        private final ByteBuffer key;
        private final ByteBuffer fingerprint;
        private final long expiresAt;
        private boolean stored;

        private Entry(final ByteBuffer key, final ByteBuffer fingerprint, final long expiresAt) {
            this.key = key;
            this.fingerprint = fingerprint;
            this.expiresAt = expiresAt;
        }
    }

    @Override
    public String toString() {
        return "ReplayCache[maxAge=" + maxAge + ", maxEntries=" + maxEntries + "]";
    }
}
