package io.stemflow.archiver;

import com.sun.net.httpserver.HttpServer;
import io.stemflow.avro.Stem;
import io.stemflow.emulator.audio.StemAudio;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A real HTTP file server of stems, as the provider's: {@code /files/{requestId}/{stem}.wav} serves the emulator's
 * WAV of that stem (vocals, or the instrumental for any other), {@code /expired/...} answers 410. It counts the GETs
 * of each path, and can send each file in two halves with a pause between (so a kill lands mid-download).
 */
final class StemFileServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    private final StemAudio audio = new StemAudio();

    private StemFileServer(final Duration pause) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/files/", ex -> {
            try (ex) {
                final String path = ex.getRequestURI().getPath();
                served.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                final byte[] body = wav(path.substring(path.lastIndexOf('/') + 1).replace(".wav", ""));
                ex.getResponseHeaders().set("Content-Type", "audio/wav");
                ex.sendResponseHeaders(200, body.length);
                final int half = body.length / 2;
                ex.getResponseBody().write(body, 0, half);
                ex.getResponseBody().flush();
                if (!pause.isZero()) {
                    LockSupport.parkNanos(pause.toNanos()); // a slow server's pace, not a wait for anything
                }
                ex.getResponseBody().write(body, half, body.length - half);
            }
        });
        server.createContext("/expired/", ex -> {
            try (ex) {
                ex.sendResponseHeaders(410, -1);
            }
        });
        server.start();
    }

    static StemFileServer start() throws IOException {
        return new StemFileServer(Duration.ZERO);
    }

    /** Sends each file in two halves, {@code pause} apart. */
    static StemFileServer slow(final Duration pause) throws IOException {
        return new StemFileServer(pause);
    }

    /** The emulator's bytes of the stem named {@code stemName} ({@code vocals}, or any other: the instrumental). */
    byte[] wav(final String stemName) {
        return audio.wav(stemName.equals("vocals") ? io.stemflow.emulator.Stem.VOCAL
                : io.stemflow.emulator.Stem.INSTRUMENTAL);
    }

    String link(final String requestId, final Stem stem) {
        return base() + "/files/" + requestId + "/" + stem.name().toLowerCase(Locale.ROOT) + ".wav";
    }

    String expiredLink(final Stem stem) {
        return base() + "/expired/" + stem.name().toLowerCase(Locale.ROOT) + ".wav";
    }

    /** GETs of the file of {@code requestId}'s {@code stem} so far. */
    int served(final String requestId, final Stem stem) {
        final AtomicInteger n = served.get("/files/" + requestId + "/" + stem.name().toLowerCase(Locale.ROOT) + ".wav");
        return n == null ? 0 : n.get();
    }

    /** GETs of every file so far. */
    int servedInAll() {
        return served.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** GETs of each file that was asked for at all. */
    java.util.Collection<Integer> servedPerFile() {
        return served.values().stream().map(AtomicInteger::get).toList();
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
