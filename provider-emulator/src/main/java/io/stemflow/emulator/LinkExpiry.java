package io.stemflow.emulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Early expiry of stem links, as the real provider does it (it signs links per request and deletes files after
 * about 14 days): a share of the successful tasks has the links it was completed with expire early, and asks the
 * client to fetch fresh ones through record-info; a share of those is gone altogether.
 *
 * <p>Chosen per task when it is accepted, deterministically from the task's seeded stream (like the other task
 * faults), so changing these values at runtime affects tasks accepted afterwards only. A task not chosen keeps
 * today's behaviour exactly: the same file token in callback and every record-info answer, 410 from
 * {@code fileTtl} after completion on.
 *
 * @param earlyExpiryShare share (in [0, 1]) of the <em>successful</em> tasks whose original links (those of the
 *                         callback and of record-info answers before the expiry) answer 410 once
 *                         {@code earlyExpiryAfter} has passed since completion (or {@code fileTtl}, when that is
 *                         shorter); a record-info call after that issues fresh links (a new file token per call)
 *                         that serve the same files for {@code fileTtl} from the call on
 * @param earlyExpiryAfter how long after completion the original links of an early-expiring task expire; zero
 *                         or more (zero: the links of the callback are expired when it is sent)
 * @param goneShare        share (in [0, 1]) <em>of the early-expiring tasks</em> (not of all tasks) that are gone
 *                         once their links expired: record-info answers 400 as for an unknown task, the original
 *                         links answer 410 and no fresh links are issued. The share of all successful tasks that
 *                         end gone is therefore {@code earlyExpiryShare × goneShare}
 */
public record LinkExpiry(double earlyExpiryShare, Duration earlyExpiryAfter, double goneShare) {

    /** No early expiry: every link lives {@code fileTtl} after completion. */
    public static final LinkExpiry NONE = new LinkExpiry(0, Duration.ZERO, 0);

    public LinkExpiry {
        share("earlyExpiryShare", earlyExpiryShare);
        Objects.requireNonNull(earlyExpiryAfter, "earlyExpiryAfter must be set");
        if (earlyExpiryAfter.isNegative()) {
            throw new IllegalArgumentException("earlyExpiryAfter must not be negative, was " + earlyExpiryAfter);
        }
        share("goneShare", goneShare);
    }

    public LinkExpiry withEarlyExpiryShare(final double share) {
        return new LinkExpiry(share, earlyExpiryAfter, goneShare);
    }

    public LinkExpiry withEarlyExpiryAfter(final Duration after) {
        return new LinkExpiry(earlyExpiryShare, after, goneShare);
    }

    public LinkExpiry withGoneShare(final double share) {
        return new LinkExpiry(earlyExpiryShare, earlyExpiryAfter, share);
    }

    private static void share(final String name, final double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be within [0, 1], was " + value);
        }
    }
}
