package io.stemflow.emulator.task;

import io.stemflow.emulator.LinkFate;
import java.time.Duration;
import java.util.Objects;

/**
 * The link decisions drawn for one task ({@link io.stemflow.emulator.LinkExpiry}).
 *
 * @param fate             standard, early expiry, or gone
 * @param earlyExpiryAfter how long after completion the original links expire when {@code fate} expires early
 *                         (capped by {@code fileTtl} where it is applied); zero for {@link LinkFate#STANDARD}
 * @param refreshSeed      seed of the fresh file tokens: the n-th refresh of a task gets the same token in every
 *                         run with the same seed
 */
public record LinkPlan(LinkFate fate, Duration earlyExpiryAfter, long refreshSeed) {

    public LinkPlan {
        Objects.requireNonNull(fate, "fate");
        Objects.requireNonNull(earlyExpiryAfter, "earlyExpiryAfter");
    }
}
