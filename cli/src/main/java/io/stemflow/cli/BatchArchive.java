package io.stemflow.cli;

import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the topics say of one batch's archive, folded record by record: the stems seen on {@code separation-stems},
 * the first {@code StemArchived} of each (requestId, stem) on {@code separation-archived}, the {@code ARCHIVE_FAILED}
 * dead letters on {@code separation-dlq} and the latest {@code BatchManifest} per account on
 * {@code separation-manifests}. Records of other batches (or, with an account, of other accounts' batches of the same
 * id) are dropped as they are read, so the memory held is that of this batch only.
 *
 * <p>Invariants of {@link #summary()}: archived, failed and pending are disjoint and add up to {@code stems}; a stem
 * archived after its failure counts as archived only; a stem archived or failed that was not seen on
 * {@code separation-stems} (its records expired there) still counts.
 */
final class BatchArchive {

    /** One stem of one job; {@code stem} in lower case, as the archiver names it ({@code backing_vocals}). */
    record StemId(String requestId, String stem) {

        static final Comparator<StemId> ORDER = Comparator.comparing(StemId::requestId).thenComparing(StemId::stem);

        StemId {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(stem, "stem");
        }
    }

    /** A stem that could not be archived, with the archiver's reason. */
    record Failure(String requestId, String stem, String reason) {
    }

    /** The latest manifest of the batch of one account. */
    record Manifest(String accountId, int version, int jobs, int stems, int archived, int failed, long bytes,
                    String csvLocation, String jsonLocation, String writtenAt) {

        static Manifest of(final BatchManifest m) {
            return new Manifest(m.getAccountId(), m.getVersion(), m.getJobs(), m.getStems(), m.getArchived(),
                    m.getFailed(), m.getBytes(), m.getCsvLocation(), m.getJsonLocation(),
                    m.getWrittenAt().toString());
        }
    }

    /**
     * The batch's archive as it is now (the {@code --json} of {@code archive status}).
     *
     * @param account     the account asked for, or null for every account using the batch id
     * @param accounts    the accounts whose records of the batch were seen
     * @param undecodable records of the topics that did not decode (left out)
     */
    record Summary(String batch, String account, List<String> accounts, int stems, int archived, int failed,
                   int pending, long bytesArchived, List<Failure> failures, List<Manifest> manifests,
                   long undecodable) {

        /** Whether nothing at all of the batch was seen. */
        boolean nothingSeen() {
            return stems == 0 && manifests.isEmpty();
        }
    }

    private final String batch;
    private final String account;
    private final Set<StemId> seen = new HashSet<>();
    private final Map<StemId, StemArchived> archived = new TreeMap<>(StemId.ORDER);
    private final Map<StemId, String> failed = new TreeMap<>(StemId.ORDER);
    private final Map<String, BatchManifest> manifests = new TreeMap<>();
    private final Set<String> accounts = new TreeSet<>();
    private long undecodable;

    /** @param account only this account's records of the batch, or null for every account's */
    BatchArchive(final String batch, final String account) {
        this.batch = Objects.requireNonNull(batch, "batch");
        this.account = account;
    }

    void onStem(final StemReady s) {
        if (s != null && mine(s.getAccountId(), s.getBatchId())) {
            seen.add(new StemId(s.getRequestId(), name(s.getStem())));
        }
    }

    /** Keeps the first announcement of a stem (the archiver announces each once). */
    void onArchived(final StemArchived a) {
        if (a != null && mine(a.getAccountId(), a.getBatchId())) {
            archived.putIfAbsent(new StemId(a.getRequestId(), name(a.getStem())), a);
        }
    }

    void onDeadLetter(final DeadLetter d) {
        if (d != null && d.getKind() == DeadLetterKind.ARCHIVE_FAILED && d.getRequestId() != null
                && mine(d.getAccountId(), d.getBatchId())) {
            failed.putIfAbsent(new StemId(d.getRequestId(), stemOf(d)), d.getReason());
        }
    }

    /** Keeps the highest version per account. */
    void onManifest(final BatchManifest m) {
        if (m != null && mine(m.getAccountId(), m.getBatchId())) {
            manifests.merge(m.getAccountId(), m, (old, now) -> now.getVersion() >= old.getVersion() ? now : old);
        }
    }

    void onUndecodable() {
        undecodable++;
    }

    /** The archived stems, in (requestId, stem) order. */
    List<StemArchived> archivedStems() {
        return List.copyOf(archived.values());
    }

    /** The latest manifest of {@code accountId}'s batch, if one was announced. */
    java.util.Optional<BatchManifest> manifest(final String accountId) {
        return java.util.Optional.ofNullable(manifests.get(accountId));
    }

    Summary summary() {
        final Set<StemId> all = new HashSet<>(seen);
        all.addAll(archived.keySet());
        all.addAll(failed.keySet());
        final List<Failure> failures = new ArrayList<>();
        failed.forEach((id, reason) -> {
            if (!archived.containsKey(id)) {
                failures.add(new Failure(id.requestId(), id.stem(), reason));
            }
        });
        final long bytes = archived.values().stream().mapToLong(StemArchived::getSize).sum();
        return new Summary(batch, account, List.copyOf(accounts), all.size(), archived.size(), failures.size(),
                all.size() - archived.size() - failures.size(), bytes, List.copyOf(failures),
                manifests.values().stream().map(Manifest::of).toList(), undecodable);
    }

    private boolean mine(final String accountId, final String batchId) {
        if (!batch.equals(batchId) || account != null && !account.equals(accountId)) {
            return false;
        }
        accounts.add(accountId == null ? "" : accountId);
        return true;
    }

    private static String name(final io.stemflow.avro.Stem stem) {
        return stem.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The stem an {@code ARCHIVE_FAILED} dead letter is about: its id is {@code requestId/attempt/stem/ARCHIVE_FAILED}
     * (the archiver's announcer); a dead letter of another shape counts as a failure of its own, named by its id.
     */
    static String stemOf(final DeadLetter d) {
        final String id = d.getDeadLetterId();
        final String prefix = d.getRequestId() + "/";
        final String suffix = "/" + DeadLetterKind.ARCHIVE_FAILED.name();
        if (id != null && id.startsWith(prefix) && id.endsWith(suffix) && id.length() > prefix.length() + suffix.length()) {
            final String[] middle = id.substring(prefix.length(), id.length() - suffix.length()).split("/", -1);
            if (middle.length == 2 && middle[0].matches("\\d+") && !middle[1].isEmpty()) {
                return middle[1];
            }
        }
        return "unknown (" + id + ")";
    }
}
