package io.stemflow.archiver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the archive keeps ahead of the provider's deletions. The stems topic is read in order of completion, so
 * the stems behind the one being archived expire no sooner than it: if the backlog ({@code lag} stems) takes longer
 * to work off at the recent rate than the time the stem at the head has left (less a safety margin), stems will
 * reach the archiver after their links expired. Also behind for {@link #RATE_WINDOW} after a stem arrived with its
 * link already expired (long enough for a scrape or a health probe to see it once the backlog is gone).
 *
 * <p>Fed by the worker after each batch it commits (and each empty poll); read by the health check and the
 * metrics, so every method is thread-safe. Time comes from the injected clock.
 */
final class ExpiryWatch {

    /** The window over which the archive's rate is measured. */
    static final Duration RATE_WINDOW = Duration.ofMinutes(1);

    private record Done(Instant at, int stems) {
    }

    private final Clock clock;
    private final Duration margin;
    private final Deque<Done> recent = new ArrayDeque<>();
    private Instant started;
    private long lag;
    private Instant headExpiresAt;
    /** The last stem that arrived with its link expired: when, and by how much. */
    private Instant lateAt;
    private Duration lateBy;

    ExpiryWatch(final Clock clock, final Duration margin) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.margin = Objects.requireNonNull(margin, "margin");
        this.started = clock.instant();
    }

    /** A batch done: the links' expiry of its stems, and the stems left behind it on the stems topic. */
    synchronized void processed(final Collection<Instant> expiresAt, final long lagAfter) {
        final Instant now = clock.instant();
        recent.addLast(new Done(now, expiresAt.size()));
        expiresAt.stream().min(Instant::compareTo).ifPresent(e -> {
            headExpiresAt = e;
            if (e.isBefore(now)) {
                lateAt = now;
                lateBy = Duration.between(e, now);
            }
        });
        lag = Math.max(0, lagAfter);
        forgetOld(now);
    }

    /** An empty poll: nothing read, {@code lagNow} stems known to be behind. */
    synchronized void idle(final long lagNow) {
        lag = Math.max(0, lagNow);
        if (lag == 0) {
            headExpiresAt = null;
        }
        forgetOld(clock.instant());
    }

    /** Stems archived per second over the last {@link #RATE_WINDOW} (or since the start, when shorter). */
    synchronized double rate() {
        final Instant now = clock.instant();
        forgetOld(now);
        final long stems = recent.stream().mapToLong(Done::stems).sum();
        final Instant from = started.isAfter(now.minus(RATE_WINDOW)) ? started : now.minus(RATE_WINDOW);
        final double seconds = Math.max(1.0, Duration.between(from, now).toMillis() / 1000.0);
        return stems / seconds;
    }

    /** Stems behind the one archived last. */
    synchronized long lag() {
        return lag;
    }

    /** Time the stem at the head of the backlog has left before its link expires; empty when nothing is behind. */
    synchronized Optional<Duration> headroom() {
        return headExpiresAt == null ? Optional.empty()
                : Optional.of(Duration.between(clock.instant(), headExpiresAt));
    }

    /** How long the backlog takes at the recent rate; empty when there is no rate to go by or nothing behind. */
    synchronized Optional<Duration> drainTime() {
        final double rate = rate();
        if (lag == 0 || rate <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) (lag / rate * 1000)));
    }

    /** Why links would expire before their turn, or empty while the archive keeps ahead. */
    synchronized Optional<String> behind() {
        if (lateAt != null && lateAt.isAfter(clock.instant().minus(RATE_WINDOW))) {
            return Optional.of("stems reach the archive after their links expired (the last by "
                    + DurationWords.of(lateBy) + "), " + lag + " stems behind");
        }
        final Optional<Duration> left = headroom();
        if (left.isEmpty() || left.get().isNegative()) {
            return Optional.empty();
        }
        final Optional<Duration> drain = drainTime();
        if (lag > 0 && drain.isEmpty()) {
            return left.get().compareTo(margin) < 0 ? Optional.of(lag + " stems behind and none archived in the last "
                    + DurationWords.of(RATE_WINDOW) + "; the oldest link expires in " + DurationWords.of(left.get()))
                    : Optional.empty();
        }
        if (drain.isPresent() && drain.get().compareTo(left.get().minus(margin)) > 0) {
            return Optional.of(lag + " stems behind take " + DurationWords.of(drain.get()) + " at "
                    + String.format(java.util.Locale.ROOT, "%.1f", rate()) + " stems/s, but the oldest link expires in "
                    + DurationWords.of(left.get()) + " (margin " + DurationWords.of(margin) + ")");
        }
        return Optional.empty();
    }

    private void forgetOld(final Instant now) {
        while (!recent.isEmpty() && recent.peekFirst().at().isBefore(now.minus(RATE_WINDOW))) {
            recent.removeFirst();
        }
    }

    /** Durations in words a person reads at a glance: {@code 3d 4h}, {@code 12m 5s}. */
    static final class DurationWords {

        private DurationWords() {
        }

        static String of(final Duration d) {
            final long s = Math.max(0, d.toSeconds());
            if (s >= 86_400) {
                return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
            }
            if (s >= 3600) {
                return s / 3600 + "h " + s % 3600 / 60 + "m";
            }
            if (s >= 60) {
                return s / 60 + "m " + s % 60 + "s";
            }
            return s + "s";
        }
    }
}
