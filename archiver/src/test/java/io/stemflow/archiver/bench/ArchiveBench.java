package io.stemflow.archiver.bench;

import com.sun.net.httpserver.HttpServer;
import io.stemflow.archiver.ArchiveOutcome;
import io.stemflow.archiver.StemArchiver;
import io.stemflow.archiver.fetch.FetchSettings;
import io.stemflow.archiver.fetch.StemFetcher;
import io.stemflow.archiver.store.FileSystemStore;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Archive throughput next to a plain HTTP download of the same files in the same run (issue 18): N stems of S MiB
 * (16-bit stereo 44.1 kHz WAVs) served over loopback HTTP; first each downloaded with the JDK's HTTP client and its
 * bytes thrown away, C at once; then each archived by {@link StemArchiver} (download, length, WAV decode check,
 * SHA-256, atomic store in a folder), C at once. Prints MB/s and stems/s of both and their ratio. A benchmark, not a
 * test: figures vary with the machine; {@code ArchiveBenchTest} runs it small.
 *
 * <pre>bench/archive.sh [--stems 200] [--size-mib 5] [--concurrency 4] [--dir DIR]</pre>
 */
public final class ArchiveBench {

    private ArchiveBench() {
    }

    /** What one run measured. */
    public record Figures(int stems, long bytes, double plainSeconds, double archiveSeconds) {
        double plainMbPerSecond() {
            return bytes / 1e6 / plainSeconds;
        }

        double archiveMbPerSecond() {
            return bytes / 1e6 / archiveSeconds;
        }
    }

    public static void main(final String[] args) throws Exception {
        int stems = 200;
        double sizeMib = 5;
        int concurrency = 4;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stems" -> stems = Integer.parseInt(args[++i]);
                case "--size-mib" -> sizeMib = Double.parseDouble(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: ArchiveBench [--stems N] [--size-mib S] [--concurrency C] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        final Path where = dir == null ? Files.createTempDirectory("archive-bench") : dir;
        run(stems, sizeMib, concurrency, where, System.out);
        if (dir == null) {
            Files.deleteIfExists(where);
        }
    }

    public static Figures run(final int stems, final double sizeMib, final int concurrency, final Path dir,
                              final PrintStream out) throws Exception {
        final byte[] wav = wav((long) (sizeMib * 1024 * 1024));
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final ExecutorService serving = Executors.newFixedThreadPool(Math.max(4, concurrency));
        server.setExecutor(serving);
        server.createContext("/files/", ex -> {
            try (ex) {
                ex.getResponseHeaders().set("Content-Type", "audio/wav");
                ex.sendResponseHeaders(200, wav.length);
                ex.getResponseBody().write(wav);
            }
        });
        server.start();
        final ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            final String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/";
            out.printf(Locale.ROOT, "archive benchmark: %,d stems of %,d bytes (16-bit stereo 44.1 kHz WAV), %d at once,"
                    + " loopback HTTP, archive in %s%n", stems, wav.length, concurrency, dir);
            // warm-up: both paths once, so neither pays for class loading and JIT alone
            plain(pool, base, Math.min(stems, 8), "warm");
            archive(pool, base, Math.min(stems, 8), dir.resolve("warm"), "warm");

            final double plain = plain(pool, base, stems, "run");
            final double archived = archive(pool, base, stems, dir.resolve("archive"), "run");
            final Figures f = new Figures(stems, (long) stems * wav.length, plain, archived);
            out.printf(Locale.ROOT, "  plain HTTP download: %.2f s, %.1f MB/s, %.1f stems/s%n", plain,
                    f.plainMbPerSecond(), stems / plain);
            out.printf(Locale.ROOT, "  archive (download, verify, SHA-256, store): %.2f s, %.1f MB/s, %.1f stems/s"
                    + " = %.2f x plain%n", archived, f.archiveMbPerSecond(), stems / archived,
                    f.archiveMbPerSecond() / f.plainMbPerSecond());
            return f;
        } finally {
            pool.shutdownNow();
            server.stop(0);
            serving.shutdownNow();
            deleteTree(dir.resolve("warm"));
            deleteTree(dir.resolve("archive"));
        }
    }

    private static double plain(final ExecutorService pool, final String base, final int stems, final String run)
            throws Exception {
        final HttpClient client = HttpClient.newHttpClient();
        final long start = System.nanoTime();
        final List<Future<Long>> done = new ArrayList<>();
        for (int i = 0; i < stems; i++) {
            final URI url = URI.create(base + run + "-" + i + "/vocals.wav");
            done.add(pool.submit(() -> {
                final HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(url).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = r.body()) {
                    final byte[] buffer = new byte[64 * 1024];
                    long n = 0;
                    for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                        n += read;
                    }
                    return n;
                }
            }));
        }
        for (final Future<Long> f : done) {
            f.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double archive(final ExecutorService pool, final String base, final int stems, final Path dir,
                                  final String run) throws Exception {
        final FetchSettings settings = FetchSettings.defaults();
        try (StemFetcher fetcher = new StemFetcher(settings, dir.resolve("downloads"))) {
            final StemArchiver archiver = new StemArchiver(new FileSystemStore(dir.resolve("store")), fetcher,
                    Clock.systemUTC());
            final long start = System.nanoTime();
            final List<Future<ArchiveOutcome>> done = new ArrayList<>();
            for (int i = 0; i < stems; i++) {
                final StemReady stem = StemReady.newBuilder().setRequestId(run + "-" + i).setAccountId("bench")
                        .setBatchId("bench").setTaskId("t").setAudioId("a").setType(SeparationType.SEPARATE_VOCAL)
                        .setProviderTaskId("p").setStem(Stem.VOCALS).setUrl(base + run + "-" + i + "/vocals.wav")
                        .setExpiresAt(Instant.now().plus(Duration.ofDays(14))).setCompletedAt(Instant.now())
                        .build();
                done.add(pool.submit(() -> archiver.archive(stem, 0, 0)));
            }
            for (final Future<ArchiveOutcome> f : done) {
                if (!f.get().archived()) {
                    throw new IllegalStateException("a stem was not archived: " + f.get().reason());
                }
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** A 16-bit stereo 44.1 kHz PCM WAV of about {@code bytes} bytes: a 440 Hz tone. */
    static byte[] wav(final long bytes) {
        final int frames = (int) Math.max(1, (bytes - 44) / 4);
        final ByteBuffer b = ByteBuffer.allocate(44 + frames * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + frames * 4).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2).putInt(44_100)
                .putInt(44_100 * 4).putShort((short) 4).putShort((short) 16);
        b.put("data".getBytes()).putInt(frames * 4);
        for (int i = 0; i < frames; i++) {
            final short s = (short) (Math.sin(2 * Math.PI * 440 * i / 44_100.0) * 8_000);
            b.putShort(s).putShort(s);
        }
        return b.array();
    }

    private static void deleteTree(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (final Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
