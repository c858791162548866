package io.stemflow.archiver.fetch;

import io.stemflow.http.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one stem and verifies it: the HTTP status, an audio content type, the length the server announced, that
 * the bytes are the audio they claim to be ({@link AudioCheck}), and their SHA-256, computed as they arrive.
 *
 * <p>A transfer that breaks off (a reset, a stall longer than the idle timeout, fewer bytes than announced) is
 * resumed where it stopped with a {@code Range} request, guarded by {@code If-Range} with the file's ETag or
 * Last-Modified, so a file that changed meanwhile starts over rather than being spliced. A server that ignores the
 * range (answers 200) also starts over. Each new attempt waits an exponential backoff with jitter.
 *
 * <p>Thread-safe: the archiver calls it from as many threads as it downloads at once.
 */
public final class StemFetcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StemFetcher.class);
    private static final String PART_PREFIX = "stem-";
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final HttpClient client;
    private final FetchSettings settings;
    private final Path workDir;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "stem-fetch-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param workDir where downloads are written while they run: this instance's own (what it holds when the fetcher
     *                is made was left by a killed process, and is deleted)
     */
    public StemFetcher(final FetchSettings settings, final Path workDir) throws IOException {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.workDir = Files.createDirectories(workDir);
        // downloads a killed process left behind: this instance's folder, so none is under way
        try (java.util.stream.Stream<Path> left = Files.list(this.workDir)) {
            for (final Path part : left.filter(p -> p.getFileName().toString().startsWith(PART_PREFIX)).toList()) {
                Files.deleteIfExists(part);
            }
        }
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** Fetches the stem at {@code url}; never throws for what the server or the network does. */
    public FetchOutcome fetch(final URI url) throws InterruptedException {
        final Transfer transfer;
        try {
            transfer = new Transfer(Files.createTempFile(workDir, PART_PREFIX, ".part"));
        } catch (IOException e) {
            return new FetchOutcome.Failed("cannot write in the work directory " + workDir + ": " + e.getMessage(),
                    true, 0);
        }
        boolean keep = false;
        try {
            FetchOutcome.Failed last = null;
            for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
                if (attempt > 1) {
                    Thread.sleep(settings.backoffBefore(attempt, ThreadLocalRandom.current().nextDouble()).toMillis());
                }
                final FetchOutcome outcome = attempt(url, transfer, attempt);
                if (outcome instanceof FetchOutcome.Failed failed && failed.retryable()) {
                    LOG.debug("Stem {} attempt {}: {}", LogSafe.url(url), attempt, failed.reason());
                    last = failed;
                    continue;
                }
                keep = outcome instanceof FetchOutcome.Fetched;
                return outcome;
            }
            return new FetchOutcome.Failed(last.reason() + " (" + settings.attempts() + " attempts)", true,
                    settings.attempts());
        } finally {
            if (!keep) {
                deleteQuietly(transfer.file);
            }
        }
    }

    private FetchOutcome attempt(final URI url, final Transfer transfer, final int attempt) {
        final HttpRequest.Builder request = HttpRequest.newBuilder(url).GET().timeout(settings.headersTimeout());
        if (transfer.received > 0 && transfer.validator != null) {
            request.header("Range", "bytes=" + transfer.received + "-").header("If-Range", transfer.validator);
        }
        final HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new FetchOutcome.Failed("no response: " + describe(e), true, attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FetchOutcome.Failed("interrupted", false, attempt);
        }
        try (InputStream body = response.body()) {
            final int status = response.statusCode();
            if (status == 404 || status == 410 || status == 403) {
                return new FetchOutcome.Gone(status);
            }
            if (status >= 500 || status == 429 || status == 408) {
                return new FetchOutcome.Failed("HTTP " + status, true, attempt);
            }
            if (status != 200 && status != 206) {
                return new FetchOutcome.Failed("HTTP " + status, false, attempt);
            }
            final String contentType = response.headers().firstValue("Content-Type").orElse(null);
            final Optional<AudioType> type = AudioType.ofMediaType(contentType);
            if (type.isEmpty()) {
                return new FetchOutcome.Failed("served as " + (contentType == null ? "no content type" : "'"
                        + LogText.escape(contentType) + "'") + ", not as an audio type the archiver keeps", false, attempt);
            }
            final long total;
            if (status == 206) {
                final Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!range.matches() || Long.parseLong(range.group(1)) != transfer.received) {
                    transfer.restart();
                    return new FetchOutcome.Failed("a range that does not continue the transfer", true, attempt);
                }
                total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
            } else {
                transfer.restart();
                total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            }
            if (total > settings.maxBytes()) {
                return new FetchOutcome.Failed("a file of " + total + " bytes, more than the " + settings.maxBytes()
                        + " accepted", false, attempt);
            }
            transfer.validator = response.headers().firstValue("ETag")
                    .or(() -> response.headers().firstValue("Last-Modified")).orElse(null);
            final Optional<FetchOutcome.Failed> broken = copy(body, transfer, attempt);
            if (broken.isPresent()) {
                return broken.get();
            }
            if (total >= 0 && transfer.received != total) {
                return new FetchOutcome.Failed("transfer ended after " + transfer.received + " of " + total + " bytes",
                        true, attempt);
            }
            final Optional<String> problem = AudioCheck.problem(transfer.file, type.get());
            if (problem.isPresent()) {
                return new FetchOutcome.Failed("served as " + type.get().mediaType() + " but " + problem.get(), false,
                        attempt);
            }
            return new FetchOutcome.Fetched(transfer.file, transfer.sha256(), transfer.received, type.get(), attempt);
        } catch (IOException e) {
            return new FetchOutcome.Failed("transfer broke off after " + transfer.received + " bytes: " + describe(e),
                    true, attempt);
        }
    }

    /** Appends the body to the transfer, breaking it off after the idle timeout without a byte. */
    private Optional<FetchOutcome.Failed> copy(final InputStream body, final Transfer transfer, final int attempt)
            throws IOException {
        final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        final long idle = settings.idleTimeout().toNanos();
        final ScheduledFuture<?> guard = watchdog.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastProgress.get() > idle) {
                deleteQuietlyClose(body);
            }
        }, idle / 4, idle / 4, TimeUnit.NANOSECONDS);
        try (OutputStream out = Files.newOutputStream(transfer.file, StandardOpenOption.APPEND)) {
            final byte[] buffer = new byte[64 * 1024];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                lastProgress.set(System.nanoTime());
                if (transfer.received + n > settings.maxBytes()) {
                    return Optional.of(new FetchOutcome.Failed("a file of more than " + settings.maxBytes()
                            + " bytes", false, attempt));
                }
                out.write(buffer, 0, n);
                transfer.digest.update(buffer, 0, n);
                transfer.received += n;
            }
            return Optional.empty();
        } catch (IOException e) {
            if (System.nanoTime() - lastProgress.get() > idle) {
                return Optional.of(new FetchOutcome.Failed("transfer stalled for more than "
                        + settings.idleTimeout().toSeconds() + " s after " + transfer.received + " bytes", true,
                        attempt));
            }
            throw e;
        } finally {
            guard.cancel(false);
        }
    }

    private static void deleteQuietlyClose(final InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is how a stalled read is broken off: a failure to close leaves nothing to do
        }
    }

    private static void deleteQuietly(final Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete the partial download {}: {}", file, e.getMessage());
        }
    }

    private static String describe(final IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + LogText.escape(e.getMessage()));
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    /** One stem's download across its attempts: the part file, what it holds, and its running digest. */
    private static final class Transfer {
        final Path file;
        long received;
        String validator;
        MessageDigest digest = sha256Digest();

        Transfer(final Path file) {
            this.file = file;
        }

        void restart() throws IOException {
            Files.write(file, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            received = 0;
            validator = null;
            digest = sha256Digest();
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }

        private static MessageDigest sha256Digest() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }
}
