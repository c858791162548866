package io.stemflow.emulator.core;

import io.stemflow.emulator.LinkFate;
import io.stemflow.emulator.counter.CounterSet;
import io.stemflow.emulator.task.EmulatedTask;
import io.stemflow.emulator.task.TaskRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The one place that decides which file token a task's links carry and when a link stops being served.
 *
 * <p>Invariants: a task whose links do not expire early ({@link LinkFate#STANDARD}) always shows its original
 * token and that token answers 410 from {@code fileTtl} after completion on, as before link expiry existed. An
 * early-expiring task shows its original token until {@link EmulatedTask#originalLinksExpireAt}; after that each
 * record-info answer issues a fresh token (one per call, as the provider signs links per request), served for
 * {@code fileTtl} from its issue; the original token stays expired. A gone task issues none and is answered as
 * unknown.
 */
public final class LinkService {

    /** What record-info shows of a task's links. */
    public sealed interface RecordInfoLinks {
        /** The links the task was completed with (or none to show yet: the task is pending or failed). */
        record Original(String fileToken) implements RecordInfoLinks {
        }

        /** The original links expired: a fresh token was issued for this answer. */
        record Fresh(String fileToken) implements RecordInfoLinks {
        }

        /** The task is gone: answer as for an unknown task. */
        record Gone() implements RecordInfoLinks {
        }
    }

    private final TaskRegistry registry;
    private final Duration fileTtl;
    private final CounterSet counters;

    public LinkService(final TaskRegistry registry, final Duration fileTtl, final CounterSet counters) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.fileTtl = Objects.requireNonNull(fileTtl, "fileTtl");
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    /** The links a record-info answer at {@code now} shows; issues (and counts) a fresh token when due. */
    public RecordInfoLinks forRecordInfo(final EmulatedTask task, final Instant now) {
        final LinkFate fate = task.plan().links().fate();
        if (!fate.expiresEarly() || now.isBefore(task.originalLinksExpireAt(fileTtl))) {
            return new RecordInfoLinks.Original(task.plan().fileToken());
        }
        if (fate == LinkFate.GONE) {
            counters.recordInfoGone();
            return new RecordInfoLinks.Gone();
        }
        final String token = task.issueFreshLink(now);
        registry.addLink(token, task);
        counters.linksRefreshed();
        return new RecordInfoLinks.Fresh(token);
    }

    /** Whether the link {@code fileToken} of {@code task} answers 410 at {@code now}. */
    public boolean expired(final EmulatedTask task, final String fileToken, final Instant now) {
        return task.linkExpiresAt(fileToken, fileTtl).map(expiry -> !now.isBefore(expiry)).orElse(true);
    }
}
