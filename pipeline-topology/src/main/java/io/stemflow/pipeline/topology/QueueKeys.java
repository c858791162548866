package io.stemflow.pipeline.topology;

import io.stemflow.avro.ControlScope;
import io.stemflow.avro.Priority;
import java.util.List;

/**
 * The scheduler's store keys. Parts are joined by U+0001, which no id may contain (ids have no control
 * characters), so a key's parts can be read back and a prefix scan never mixes lanes; RocksDB orders keys
 * by their bytes, so the jobs of a lane are contiguous and in arrival order (a 19-digit sequence).
 *
 * <pre>
 * queue-jobs:     class|account|batch|seq        -> QueuedJob
 * queue-lanes:    L|class|account|batch          -> batch lane (waiting)
 *                 A|class|account                -> account lane (waiting, deficit, last batch)
 *                 P|class                        -> class pointer (the account being served)
 *                 X|batch|class|account          -> index: the lanes of a batch
 * queue-controls: B|batch|account-or-*, A|account -> standing pause or cancel; C|commandId -> applied
 * </pre>
 * class is 0 (INTERACTIVE), 1 (NORMAL) or 2 (BULK); a job without a batch is in the batch lane "".
 */
final class QueueKeys {

    static final char SEP = '\u0001';
    /** Sorts after SEP: {@code prefix-without-its-last-SEP + END} bounds every key under a prefix. */
    private static final char END = '\u0002';
    static final int CLASSES = 3;
    private static final String ANY_ACCOUNT = "*";

    private QueueKeys() {
    }

    static int classIndex(final Priority priority) {
        return switch (priority) {
            case INTERACTIVE -> 0;
            case BULK -> 2;
            default -> 1;
        };
    }

    static Priority classOf(final int index) {
        return switch (index) {
            case 0 -> Priority.INTERACTIVE;
            case 2 -> Priority.BULK;
            default -> Priority.NORMAL;
        };
    }

    static String batchName(final String batchId) {
        return batchId == null ? "" : batchId;
    }

    static String join(final Object... parts) {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                b.append(SEP);
            }
            b.append(parts[i]);
        }
        return b.toString();
    }

    static String[] split(final String key) {
        return key.split(String.valueOf(SEP), -1);
    }

    /** The greatest possible key under {@code prefix} (which ends in SEP), for an inclusive range. */
    static String upper(final String prefix) {
        return prefix.substring(0, prefix.length() - 1) + END;
    }

    /** The smallest key after {@code key} (exclusive start of a range). */
    static String after(final String key) {
        return key + '\u0000';
    }

    static String job(final int c, final String account, final String batch, final long seq) {
        return jobsOf(c, account, batch) + SortableNumber.of(seq);
    }

    static String jobsOf(final int c, final String account, final String batch) {
        return join(c, account, batch, "");
    }

    static String lane(final int c, final String account, final String batch) {
        return join("L", c, account, batch);
    }

    static String lanesOf(final int c, final String account) {
        return join("L", c, account, "");
    }

    static String account(final int c, final String account) {
        return join("A", c, account);
    }

    static String accountsOf(final int c) {
        return join("A", c, "");
    }

    static String pointer(final int c) {
        return join("P", c);
    }

    static String batchIndex(final String batch, final int c, final String account) {
        return join("X", batch, c, account);
    }

    static String batchIndexOf(final String batch) {
        return join("X", batch, "");
    }

    static String batchControl(final String batch, final String account) {
        return join("B", batch, account == null ? ANY_ACCOUNT : account);
    }

    static String accountControl(final String account) {
        return join("A", account);
    }

    static String command(final String commandId) {
        return join("C", commandId);
    }

    /** The key a command's standing control is kept under. */
    static String controlOf(final ControlScope scope, final String target, final String account) {
        return scope == ControlScope.ACCOUNT ? accountControl(target) : batchControl(target, account);
    }

    /**
     * Where the lanes a sweep visits are listed in queue-lanes: a batch's index rows, or an account's batch
     * lanes in each class.
     */
    static List<String> sweepPrefixes(final ControlScope scope, final String target) {
        return scope == ControlScope.ACCOUNT
                ? List.of(lanesOf(0, target), lanesOf(1, target), lanesOf(2, target))
                : List.of(batchIndexOf(target));
    }

    /** A batch lane named by a row that {@link #sweepPrefixes} lists (an index row or a lane row). */
    record LaneRef(int c, String account, String batch) {

        static LaneRef of(final String key) {
            final String[] p = split(key);
            return "X".equals(p[0])
                    ? new LaneRef(Integer.parseInt(p[2]), p[3], p[1])
                    : new LaneRef(Integer.parseInt(p[1]), p[2], p[3]);
        }

        static LaneRef ofAccountLane(final String key, final String batch) {
            final String[] p = split(key);
            return new LaneRef(Integer.parseInt(p[1]), p[2], batch);
        }

        String laneKey() {
            return lane(c, account, batch);
        }

        String jobsPrefix() {
            return jobsOf(c, account, batch);
        }

        String batchId() {
            return batch.isEmpty() ? null : batch;
        }
    }
}
