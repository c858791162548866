package io.stemflow.archiver;

import io.stemflow.archiver.store.ArchiveStore;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.StemReady;
import io.stemflow.http.LogText;
import io.stemflow.kafka.JsonSerde;
import io.stemflow.schemas.JobStates;
import io.stemflow.schemas.Topic;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announcer's batch path: when every stem of every ended job of a batch is archived or failed, writes the
 * batch's manifest (CSV and JSON, {@link ManifestFiles}) next to its stems and announces it once on
 * {@code separation-manifests} ({@code BatchManifest}, key batchId).
 *
 * <pre>
 * separation-status ── batch jobs only ──> [status-by-batch-repartition] ──┐
 * separation-stems  ── batch jobs only ──> [stems-by-batch-repartition]  ──┼─> track-batches ─> separation-manifests
 * announce (archived | failed)         ──> [settled-by-batch-repartition] ─┘     │ stores batch-stems, batch-jobs,
 *                                                                                 │ batch-progress, batch-manifests-due
 *                                                                                 └─ every punctuation: due batches
 *                                                                                    complete and unchanged for the
 *                                                                                    grace -> files, then announced
 * </pre>
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every input is keyed by the batch, {@code {account}/{batch}} in {@link ArchiveKey} segments, so one task
 *       owns a batch; a job without a batch has no manifest.</li>
 *   <li>A stem is {@code PENDING} when its stem event is seen (only if nothing is known of it yet), and
 *       {@code ARCHIVED} or {@code FAILED} when the announcer announces it; an archived stem stays archived.</li>
 *   <li>A batch is complete when every job seen (by a status or a stem) has a terminal latest state
 *       ({@link JobStates#TERMINAL}; {@code REPLAYED} is not), no stem is pending, and it has a stem. A job's
 *       last status and its stems travel on different topics, so a complete batch is written only once it stayed
 *       complete and unchanged for the grace period, checked by a wall-clock punctuation.</li>
 *   <li>Writing the files is a side effect outside the transaction, so it is idempotent: the files of a version are
 *       a pure function of the state, which is committed with the announcement. A crash between writing and
 *       committing rewrites them (same version) after restore. The announcement is in the Streams transaction.</li>
 *   <li>A store that cannot be written leaves the batch due: it is tried again at the next punctuation, logged.</li>
 *   <li>More after a manifest (a late stem, a replayed job) makes the batch due again; its next complete state whose
 *       list differs is written as version + 1 under the same keys.</li>
 * </ul>
 */
public final class BatchManifests {

    /** {account}/{batch}/{requestId}/{stem} -> {@link ManifestEntry} (prefix-scannable by batch). */
    public static final String BATCH_STEMS = "batch-stems";
    /** {account}/{batch}/{requestId} -> the job's latest state. */
    public static final String BATCH_JOBS = "batch-jobs";
    /** {account}/{batch} -> {@link BatchProgress}. */
    public static final String BATCH_PROGRESS = "batch-progress";
    /** {account}/{batch} -> wall-clock time it changed: the batches whose manifest is not written yet. */
    public static final String MANIFESTS_DUE = "batch-manifests-due";

    /** Repartition topics ({@code <application id>-<name>-repartition}). */
    public static final String STATUS_BY_BATCH = "status-by-batch";
    public static final String STEMS_BY_BATCH = "stems-by-batch";
    public static final String SETTLED_BY_BATCH = "settled-by-batch";

    static final String READ_STATUS = "read-status";
    static final String READ_STEMS = "read-stems";
    /** The child of the announcer that it forwards each announced stem of a batch to (key {account}/{batch}). */
    static final String SETTLED_FOR_BATCH = "settled-for-batch";
    static final String STATUS_FOR_BATCH = "status-for-batch";
    static final String STEMS_FOR_BATCH = "stems-for-batch";
    static final String AS_JOB_SEEN = "as-job-seen";
    static final String AS_STEM_EXPECTED = "as-stem-expected";
    static final String AS_STEM_SETTLED = "as-stem-settled";
    static final String MERGE_BATCH_INPUTS = "merge-batch-inputs";
    static final String TRACK_BATCHES = "track-batches";
    static final String WRITE_MANIFESTS = "write-manifests";

    static final String CSV_NAME = "manifest.csv";
    static final String JSON_NAME = "manifest.json";

    private static final Logger LOG = LoggerFactory.getLogger(BatchManifests.class);

    /**
     * How the batch path runs.
     *
     * @param store      where the manifests are written (the stems' archive)
     * @param grace      how long a complete batch must stay unchanged before its manifest is written
     * @param partitions partitions of each repartition topic (the three must be co-partitioned: the stems topic's)
     */
    public record Settings(ArchiveStore store, Duration grace, int partitions) {
        public Settings {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative() || grace.isZero()) {
                throw new IllegalArgumentException("grace must be positive, was " + grace);
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be 1 or more, was " + partitions);
            }
        }
    }

    private BatchManifests() {
    }

    /** {@code {account}/{batch}}, each an {@link ArchiveKey} segment: the batch path's key. */
    static String batchKey(final String accountId, final String batchId) {
        return ArchiveKey.segment(accountId) + '/' + ArchiveKey.segment(batchId);
    }

    /** How often due batches are looked at: half the grace, between 100 ms and 1 s. */
    static Duration punctuationInterval(final Duration grace) {
        return Duration.ofMillis(Math.max(100, Math.min(1000, grace.toMillis() / 2)));
    }

    /**
     * Adds the batch path to {@code builder}.
     *
     * @param settled the announcer's output; it forwards each announced stem of a batch to the child named
     *                {@value #SETTLED_FOR_BATCH}, keyed by {@link #batchKey}, as the {@link ArchiveOutcome}
     */
    static void addTo(final StreamsBuilder builder, final KStream<String, Object> settled,
                      final Topic<String, StemReady> stems, final Topic<String, JobStatus> status,
                      final Topic<String, BatchManifest> manifests, final Settings settings) {
        builder.addStateStore(store(BATCH_STEMS, ManifestEntry.class));
        builder.addStateStore(store(BATCH_JOBS, JobEntry.class));
        builder.addStateStore(store(BATCH_PROGRESS, BatchProgress.class));
        builder.addStateStore(store(MANIFESTS_DUE, Long.class));

        final KStream<String, BatchInput> jobs = builder.stream(status.name(),
                        Consumed.with(Serdes.String(), status.valueSerde()).withName(READ_STATUS))
                .filter((k, s) -> s != null && s.getBatchId() != null, Named.as(STATUS_FOR_BATCH))
                .map((k, s) -> KeyValue.pair(batchKey(s.getAccountId(), s.getBatchId()),
                        new BatchInput.JobSeen(s.getRequestId(), s.getAccountId(), s.getBatchId(), s.getAttempt(),
                                s.getState().name())), Named.as(STATUS_BY_BATCH + "-key"))
                .repartition(repartitioned(STATUS_BY_BATCH, BatchInput.JobSeen.class, settings))
                .mapValues(v -> (BatchInput) v, Named.as(AS_JOB_SEEN));
        final KStream<String, BatchInput> expected = builder.stream(stems.name(),
                        Consumed.with(Serdes.String(), stems.valueSerde()).withName(READ_STEMS))
                .filter((k, s) -> s != null && s.getBatchId() != null, Named.as(STEMS_FOR_BATCH))
                .map((k, s) -> KeyValue.pair(batchKey(s.getAccountId(), s.getBatchId()),
                        new BatchInput.StemExpected(s.getRequestId(), s.getAccountId(), s.getBatchId(),
                                s.getAudioId(), s.getStem().name().toLowerCase(Locale.ROOT),
                                BatchInput.trackOf(s.getLabels()))), Named.as(STEMS_BY_BATCH + "-key"))
                .repartition(repartitioned(STEMS_BY_BATCH, BatchInput.StemExpected.class, settings))
                .mapValues(v -> (BatchInput) v, Named.as(AS_STEM_EXPECTED));
        final KStream<String, BatchInput> announced = settled
                .mapValues(v -> (ArchiveOutcome) v, Named.as(SETTLED_FOR_BATCH))
                .repartition(repartitioned(SETTLED_BY_BATCH, ArchiveOutcome.class, settings))
                .mapValues(v -> (BatchInput) new BatchInput.StemSettled(v), Named.as(AS_STEM_SETTLED));

        jobs.merge(expected, Named.as(MERGE_BATCH_INPUTS + "-1"))
                .merge(announced, Named.as(MERGE_BATCH_INPUTS))
                .process(tracker(settings), Named.as(TRACK_BATCHES), BATCH_STEMS, BATCH_JOBS, BATCH_PROGRESS,
                        MANIFESTS_DUE)
                .to(manifests.name(), Produced.with(Serdes.String(), manifests.valueSerde())
                        .withName(WRITE_MANIFESTS));
    }

    private static <V> Repartitioned<String, V> repartitioned(final String name, final Class<V> type,
                                                              final Settings settings) {
        return Repartitioned.with(Serdes.String(), JsonSerde.of(type)).withName(name)
                .withNumberOfPartitions(settings.partitions());
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(final String name, final Class<V> type) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), JsonSerde.of(type));
    }

    private static ProcessorSupplier<String, BatchInput, String, BatchManifest> tracker(final Settings settings) {
        return () -> new Tracker(settings);
    }

    /** A job of a batch as the batch path keeps it: its latest state (null while only its stems were seen). */
    record JobEntry(String requestId, String state, int attempt) {

        boolean ended() {
            return state != null && JobStates.TERMINAL.stream().anyMatch(s -> s.name().equals(state));
        }
    }

    /** Keeps each batch's jobs, stems and counts; writes and announces the manifests that are due. */
    private static final class Tracker implements Processor<String, BatchInput, String, BatchManifest> {

        private final Settings settings;
        private ProcessorContext<String, BatchManifest> context;
        private KeyValueStore<String, ManifestEntry> entries;
        private KeyValueStore<String, JobEntry> jobs;
        private KeyValueStore<String, BatchProgress> progress;
        private KeyValueStore<String, Long> due;

        Tracker(final Settings settings) {
            this.settings = settings;
        }

        @Override
        public void init(final ProcessorContext<String, BatchManifest> context) {
            this.context = context;
            this.entries = context.getStateStore(BATCH_STEMS);
            this.jobs = context.getStateStore(BATCH_JOBS);
            this.progress = context.getStateStore(BATCH_PROGRESS);
            this.due = context.getStateStore(MANIFESTS_DUE);
            context.schedule(punctuationInterval(settings.grace()), PunctuationType.WALL_CLOCK_TIME, this::writeDue);
        }

        @Override
        public void process(final Record<String, BatchInput> record) {
            final BatchInput input = record.value();
            if (input == null || record.key() == null) {
                return;
            }
            final String batch = record.key();
            final Counts counts = new Counts(batch);
            final boolean changed;
            if (input instanceof BatchInput.JobSeen j) {
                changed = jobSeen(batch, j, counts);
            } else if (input instanceof BatchInput.StemExpected s) {
                changed = stemExpected(batch, s, counts);
            } else {
                changed = stemSettled(batch, ((BatchInput.StemSettled) input).outcome(), counts);
            }
            if (changed) {
                final long now = context.currentSystemTimeMs();
                progress.put(batch, counts.apply(now));
                due.put(batch, now);
            }
        }

        private boolean jobSeen(final String batch, final BatchInput.JobSeen j, final Counts counts) {
            counts.ids(j.accountId(), j.batchId());
            final String key = batch + '/' + ArchiveKey.segment(j.requestId());
            final JobEntry before = jobs.get(key);
            if (before != null && j.state().equals(before.state()) && j.attempt() == before.attempt()) {
                return false;
            }
            final JobEntry after = new JobEntry(j.requestId(), j.state(), j.attempt());
            jobs.put(key, after);
            counts.job(before, after);
            return true;
        }

        private boolean stemExpected(final String batch, final BatchInput.StemExpected s, final Counts counts) {
            counts.ids(s.accountId(), s.batchId());
            seen(batch, s.requestId(), counts);
            final String key = stemKey(batch, s.requestId(), s.stem());
            final ManifestEntry before = entries.get(key);
            if (before == null) {
                entries.put(key, ManifestEntry.pending(s));
                counts.stems++;
                return true;
            }
            final ManifestEntry described = before.describedBy(s);
            if (described.equals(before)) {
                return counts.jobAdded;
            }
            entries.put(key, described);
            return true;
        }

        private boolean stemSettled(final String batch, final ArchiveOutcome o, final Counts counts) {
            counts.ids(o.accountId(), o.batchId());
            final String key = stemKey(batch, o.requestId(), o.stem());
            final ManifestEntry before = entries.get(key);
            final ManifestEntry.Status was = before == null ? null : before.status();
            if (was == ManifestEntry.Status.ARCHIVED || !o.archived() && was == ManifestEntry.Status.FAILED) {
                return false; // as the announcer: an archived stem stays so, a failure is listed once
            }
            seen(batch, o.requestId(), counts);
            final ManifestEntry after = ManifestEntry.settled(o, before);
            entries.put(key, after);
            if (before == null) {
                counts.stems++;
            }
            if (was == ManifestEntry.Status.FAILED) {
                counts.failed--;
            }
            if (o.archived()) {
                counts.archived++;
                counts.bytes += after.size();
            } else {
                counts.failed++;
            }
            return true;
        }

        /** A job known by its stems before its status: seen, not ended. */
        private void seen(final String batch, final String requestId, final Counts counts) {
            final String key = batch + '/' + ArchiveKey.segment(requestId);
            if (jobs.get(key) == null) {
                final JobEntry unknown = new JobEntry(requestId, null, 0);
                jobs.put(key, unknown);
                counts.job(null, unknown);
            }
        }

        private static String stemKey(final String batch, final String requestId, final String stem) {
            return batch + '/' + ArchiveKey.segment(requestId) + '/' + ArchiveKey.segment(stem);
        }

        /** Writes every due batch that is complete and stayed unchanged for the grace period. */
        private void writeDue(final long now) {
            final List<KeyValue<String, Long>> candidates = new ArrayList<>();
            try (KeyValueIterator<String, Long> it = due.all()) {
                it.forEachRemaining(candidates::add);
            }
            for (final KeyValue<String, Long> c : candidates) {
                final BatchProgress p = progress.get(c.key);
                if (p == null) {
                    due.delete(c.key);
                } else if (p.complete() && now - p.changedAt() >= settings.grace().toMillis()) {
                    write(c.key, p, now);
                }
            }
        }

        private void write(final String batch, final BatchProgress p, final long now) {
            final List<ManifestEntry> listed = new ArrayList<>();
            try (KeyValueIterator<String, ManifestEntry> it = entries.prefixScan(batch + '/', new StringSerializer())) {
                it.forEachRemaining(kv -> listed.add(kv.value));
            }
            final ManifestFiles unversioned = new ManifestFiles(p.accountId(), p.batchId(), p.version(), p.ended(),
                    listed);
            final String digest = unversioned.digest();
            if (digest.equals(p.writtenDigest())) {
                due.delete(batch); // changed and changed back: the written manifest still says it all
                return;
            }
            final int version = p.version() + 1;
            final ManifestFiles files = new ManifestFiles(p.accountId(), p.batchId(), version, p.ended(), listed);
            final String prefix = ArchiveKey.batchPrefix(p.accountId(), p.batchId());
            final String csvKey = prefix + CSV_NAME;
            final String jsonKey = prefix + JSON_NAME;
            final String csvLocation;
            final String jsonLocation;
            try {
                csvLocation = settings.store().putBytes(csvKey, files.csv(), ManifestFiles.CSV_TYPE).toString();
                jsonLocation = settings.store().putBytes(jsonKey, files.json(), ManifestFiles.JSON_TYPE).toString();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Manifest version {} of batch '{}' of account '{}' not written, tried again in {} ms: {}",
                        version, LogText.escape(p.batchId()), LogText.escape(p.accountId()),
                        punctuationInterval(settings.grace()).toMillis(), e.toString());
                return;
            }
            progress.put(batch, p.written(version, digest));
            due.delete(batch);
            final BatchManifest manifest = BatchManifest.newBuilder()
                    .setAccountId(p.accountId())
                    .setBatchId(p.batchId())
                    .setVersion(version)
                    .setJobs(p.ended())
                    .setStems(files.entries().size())
                    .setArchived(files.archived())
                    .setFailed(files.failed())
                    .setBytes(files.bytes())
                    .setCsvKey(csvKey)
                    .setJsonKey(jsonKey)
                    .setCsvLocation(csvLocation)
                    .setJsonLocation(jsonLocation)
                    .setWrittenAt(Instant.ofEpochMilli(now))
                    .build();
            context.forward(new Record<>(p.batchId(), manifest, now));
            LOG.info("Manifest version {} of batch '{}' of account '{}': {} stems ({} archived, {} failed) at {}",
                    version, LogText.escape(p.batchId()), LogText.escape(p.accountId()), files.entries().size(),
                    files.archived(), files.failed(), csvLocation);
        }

        /** The counts of one batch while one input is applied to them. */
        private final class Counts {
            private final BatchProgress before;
            private String accountId;
            private String batchId;
            int jobs;
            int ended;
            int stems;
            int archived;
            int failed;
            long bytes;
            boolean jobAdded;

            Counts(final String batch) {
                this.before = progress.get(batch);
                if (before != null) {
                    jobs = before.jobs();
                    ended = before.ended();
                    stems = before.stems();
                    archived = before.archived();
                    failed = before.failed();
                    bytes = before.bytes();
                }
            }

            void ids(final String account, final String batchName) {
                this.accountId = account;
                this.batchId = batchName;
            }

            void job(final JobEntry was, final JobEntry now) {
                if (was == null) {
                    jobs++;
                    jobAdded = true;
                }
                if (was != null && was.ended()) {
                    ended--;
                }
                if (now.ended()) {
                    ended++;
                }
            }

            BatchProgress apply(final long now) {
                final BatchProgress base = before != null ? before : BatchProgress.empty(accountId, batchId);
                return base.withCounts(jobs, ended, stems, archived, failed, bytes, now);
            }
        }
    }
}
