package io.stemflow.bridge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The slow-body attacker over raw sockets: each connection sends a callback's request line and
 * headers at once (with a genuine token, so it passes every check before the body), declares a
 * large {@code Content-Length}, then trickles the body one byte per tick. One scheduler thread
 * drives every connection: it writes a byte to each connection not yet answered, and reads what
 * the server has answered so far (without blocking, from what the socket has buffered).
 *
 * <p>Connections may come from another loopback address ({@code 127.0.0.2}) than the test's other
 * clients, so that the bridge sees a distinct client.
 */
final class SlowSenders implements AutoCloseable {

    /** One attacking connection: what it has been answered so far, and whether it is done. */
    static final class Sender {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream answer = new ByteArrayOutputStream();
        private volatile boolean done;
        private volatile int bytesSent;

        private Sender(final Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        boolean done() {
            return done;
        }

        /** The status line's code once a full response head was read, else empty (closed without an answer). */
        synchronized Optional<Integer> status() {
            final String text = answer.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
                return Optional.empty();
            }
            return Optional.of(Integer.parseInt(text.substring(9, 12)));
        }

        /** The whole answer read so far (head and body). */
        synchronized String answer() {
            return answer.toString(StandardCharsets.UTF_8);
        }

        int bytesSent() {
            return bytesSent;
        }

        private void tick() {
            if (done) {
                return;
            }
            try {
                if (readAvailable()) {
                    finish();
                    return;
                }
                socket.getOutputStream().write('x');
                socket.getOutputStream().flush();
                bytesSent++;
            } catch (IOException closedByServer) {
                try {
                    readAvailable();
                } catch (IOException ignored) {
                    // nothing more to read
                }
                finish();
            }
        }

        /** True when the server has answered completely or closed. */
        private synchronized boolean readAvailable() throws IOException {
            while (in.available() > 0) {
                final byte[] buffer = new byte[in.available()];
                final int read = in.read(buffer);
                if (read < 0) {
                    return true;
                }
                answer.write(buffer, 0, read);
            }
            final String text = answer.toString(StandardCharsets.ISO_8859_1);
            final int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return socket.isInputShutdown();
            }
            final int length = contentLength(text.substring(0, headEnd));
            return text.length() - headEnd - 4 >= length;
        }

        private void finish() {
            done = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        private static int contentLength(final String head) {
            for (final String line : head.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    return Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            return 0;
        }
    }

    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread thread = new Thread(r, "slow-senders");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Sender> senders = new ArrayList<>();

    /**
     * Opens {@code count} connections from each of {@code localAddresses} to {@code base}, each sending the headers of a
     * callback to {@code /callbacks/{prefix}{i}} with the genuine token and a declared body of
     * {@code declaredLength} bytes, then trickles one byte per {@code tickMillis} to each.
     */
    static SlowSenders start(final URI base, final List<String> localAddresses, final int count, final String prefix,
                             final int declaredLength, final long tickMillis) {
        final SlowSenders attack = new SlowSenders();
        try {
            for (int i = 0; i < count * localAddresses.size(); i++) {
                final String requestId = prefix + i;
                final Socket socket = new Socket();
                socket.bind(new InetSocketAddress(localAddresses.get(i % localAddresses.size()), 0));
                socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
                final String head = "POST /callbacks/" + requestId + "?token=" + Fixtures.token().tokenFor(requestId)
                        + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + declaredLength + "\r\n\r\n{";
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                attack.senders.add(new Sender(socket));
            }
        } catch (IOException e) {
            attack.close();
            throw new UncheckedIOException("Cannot open the slow connections", e);
        }
        attack.ticker.scheduleAtFixedRate(() -> attack.senders.forEach(Sender::tick), tickMillis, tickMillis,
                TimeUnit.MILLISECONDS);
        return attack;
    }

    List<Sender> senders() {
        return List.copyOf(senders);
    }

    boolean allDone() {
        return senders.stream().allMatch(Sender::done);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        senders.forEach(Sender::finish);
    }
}
