package io.stemflow.emulator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * A real HTTP endpoint on 127.0.0.1 that records every callback POST and answers with a status chosen per
 * request (default 200). Each test names its own path to tell deliveries apart.
 */
public final class CallbackReceiver implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One received POST. */
    public record Received(String path, Map<String, List<String>> headers, JsonNode body, long nanoTime,
                           int answeredStatus) {
        public String header(final String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        public String taskId() {
            return body.path("data").path("task_id").asText();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attemptsByPath = new ConcurrentHashMap<>();
    private volatile ToIntFunction<Attempt> status = attempt -> 200;

    /** What the status policy sees: the path and how many POSTs to it came before (0 for the first). */
    public record Attempt(String path, int previousAttempts) {
    }

    public CallbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Chooses the HTTP status of each answer. */
    public void answer(final ToIntFunction<Attempt> policy) {
        this.status = policy;
    }

    public String url(final String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + path).toString();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> receivedOn(final String path) {
        return received.stream().filter(r -> r.path().equals("/" + path)).toList();
    }

    private void handle(final HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            final byte[] bytes = in.readAllBytes();
            final String path = exchange.getRequestURI().getPath();
            final int previous = attemptsByPath.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
            final int code = status.applyAsInt(new Attempt(path, previous));
            JsonNode body;
            try {
                body = MAPPER.readTree(bytes);
            } catch (final IOException e) {
                body = MAPPER.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
            }
            received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime(), code));
            exchange.sendResponseHeaders(code, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
