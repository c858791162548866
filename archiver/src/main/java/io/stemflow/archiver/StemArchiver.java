package io.stemflow.archiver;

import io.stemflow.archiver.fetch.AudioType;
import io.stemflow.archiver.fetch.FetchOutcome;
import io.stemflow.archiver.fetch.StemFetcher;
import io.stemflow.archiver.store.ArchiveStore;
import io.stemflow.archiver.store.StemMetadata;
import io.stemflow.archiver.store.StoredObject;
import io.stemflow.avro.StemReady;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Archives one stem: finds it already stored, or downloads, verifies and stores it. The outcome is a value: archived
 * (with where, its checksum and size) or not to be had (with why). A stem already stored under its key for this job
 * is not downloaded or stored again; one downloaded again whose bytes are already stored is not stored again.
 *
 * <p>Only a failure of the archive itself (the store cannot be read or written) is thrown: the stem is still to be
 * archived, and the worker tries its whole batch again rather than report a stem lost that is not.
 */
public final class StemArchiver {

    private final ArchiveStore store;
    private final StemFetcher fetcher;
    private final Clock clock;

    public StemArchiver(final ArchiveStore store, final StemFetcher fetcher, final Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The stem's name in keys and metadata: its Avro symbol in lower case ({@code backing_vocals}). */
    static String stemName(final StemReady stem) {
        return stem.getStem().name().toLowerCase(Locale.ROOT);
    }

    static String keyOf(final StemReady stem, final AudioType type) {
        return ArchiveKey.of(stem.getAccountId(), stem.getBatchId(), stem.getRequestId(), stemName(stem),
                type.extension());
    }

    /** The type a link's file name says, if it says one ({@code .../Vocals.mp3}). */
    static Optional<AudioType> typeOfLink(final String url) {
        final String path;
        try {
            path = Optional.ofNullable(URI.create(url).getPath()).orElse("").toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (final AudioType type : AudioType.values()) {
            if (path.endsWith("." + type.extension())) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    public ArchiveOutcome archive(final StemReady stem, final int partition, final long offset)
            throws IOException, InterruptedException {
        return archive(stem, stem.getUrl(), null, partition, offset);
    }

    /**
     * Archives {@code stem} from {@code link} (its own, or a fresh one the provider gave for it), reporting the
     * record it came from ({@code topic} null: the stem event itself).
     */
    public ArchiveOutcome archive(final StemReady stem, final String link, final String topic, final int partition,
                                  final long offset) throws IOException, InterruptedException {
        final Source source = new Source(topic, partition, offset);
        final Optional<AudioType> named = typeOfLink(link);
        if (named.isPresent()) {
            final Optional<StoredObject> stored = ours(store.find(keyOf(stem, named.get())), stem);
            if (stored.isPresent()) {
                return archived(stem, stored.get(), source);
            }
        }
        final URI url;
        try {
            url = URI.create(link);
        } catch (IllegalArgumentException e) {
            return failed(stem, named.orElse(AudioType.WAV), "the stem's link is not a URL", null, source);
        }
        final FetchOutcome fetched = fetcher.fetch(url);
        if (fetched instanceof FetchOutcome.Gone gone) {
            return failed(stem, named.orElse(AudioType.WAV), "the stem's link answers HTTP " + gone.status()
                    + ": the provider no longer has the file", gone.status(), source);
        }
        if (fetched instanceof FetchOutcome.Failed failed) {
            return failed(stem, named.orElse(AudioType.WAV), failed.reason(), null, source);
        }
        final FetchOutcome.Fetched file = (FetchOutcome.Fetched) fetched;
        try {
            final String key = keyOf(stem, file.type());
            final Optional<StoredObject> stored = ours(store.find(key), stem)
                    .filter(o -> o.holds(file.sha256(), file.size()));
            final StoredObject object = stored.isPresent() ? stored.get() : store.put(key, file.file(),
                    new StemMetadata(stem.getRequestId(), stem.getAccountId(), stem.getBatchId(), stemName(stem),
                            file.sha256(), file.size(), file.type().mediaType()));
            return archived(stem, object, source);
        } finally {
            Files.deleteIfExists(file.file());
        }
    }

    /** The stored object if it is this job's stem (a key names both, unless someone else wrote there). */
    private static Optional<StoredObject> ours(final Optional<StoredObject> found, final StemReady stem) {
        return found.filter(o -> o.metadata().requestId().equals(stem.getRequestId())
                && o.metadata().stem().equals(stemName(stem)));
    }

    /** The record a stem came from: its stem event ({@code topic} null) or a fresh-links answer. */
    private record Source(String topic, int partition, long offset) {
    }

    private ArchiveOutcome archived(final StemReady stem, final StoredObject object, final Source source) {
        return new ArchiveOutcome(true, stem.getRequestId(), stem.getAccountId(), stem.getBatchId(),
                stem.getType().name(), stem.getAttempt(), stem.getProviderTaskId(), stemName(stem), stem.getLabels(),
                object.key(), object.location().toString(), object.metadata().sha256(), object.metadata().size(),
                object.metadata().contentType(), null, null, source.topic(), source.partition(), source.offset(),
                clock.millis());
    }

    /**
     * The failure of a stem that is not to be had, for a reason found outside a download (the provider says its task
     * is gone, or lists the stem no more).
     */
    public ArchiveOutcome failed(final StemReady stem, final String reason, final Integer code, final String topic,
                                 final int partition, final long offset) {
        return failed(stem, typeOfLink(stem.getUrl()).orElse(AudioType.WAV), reason, code,
                new Source(topic, partition, offset));
    }

    private ArchiveOutcome failed(final StemReady stem, final AudioType type, final String reason, final Integer code,
                                  final Source source) {
        return new ArchiveOutcome(false, stem.getRequestId(), stem.getAccountId(), stem.getBatchId(),
                stem.getType().name(), stem.getAttempt(), stem.getProviderTaskId(), stemName(stem), stem.getLabels(),
                keyOf(stem, type), null, null, 0, null, reason, code, source.topic(), source.partition(), source.offset(),
                clock.millis());
    }
}
