package io.stemflow.serde.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;

/**
 * A tiny scripted schema registry on a real HTTP server (JDK {@code HttpServer} on 127.0.0.1, free
 * port): answers what each test tells it to, per method and raw path, and records every request
 * with its headers and body. Unscripted requests get 404 / 40401.
 */
public final class StubRegistry implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request as the server saw it; header names lower-cased. */
    public record Recorded(String method, String path, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public record Reply(int status, String body) {}

    @FunctionalInterface
    public interface Responder {
        Reply reply(Recorded request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Responder> routes = new ConcurrentHashMap<>();

    private StubRegistry(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static StubRegistry start() {
        try {
            final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            final ExecutorService executor = Executors.newFixedThreadPool(4);
            final StubRegistry stub = new StubRegistry(server, executor);
            server.createContext("/", stub::handle);
            server.setExecutor(executor);
            server.start();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A URL on which nothing listens: connections are refused. */
    public static String closedPortUrl() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"schema": "<schema json>"}}, plus any extra fields given as key, value pairs. */
    public static String schemaReply(Schema schema, Object... extra) {
        final Map<String, Object> body = new TreeMap<>();
        body.put("schema", schema.toString());
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String error(int errorCode, String message) {
        try {
            return JSON.writeValueAsString(Map.of("error_code", errorCode, "message", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public StubRegistry on(String method, String rawPath, int status, String body) {
        return on(method, rawPath, request -> new Reply(status, body));
    }

    public StubRegistry on(String method, String rawPath, Responder responder) {
        routes.put(method + " " + rawPath, responder);
        return this;
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public long count(String method, String rawPath) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(rawPath)).count();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            final Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            final Recorded request =
                    new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), Map.copyOf(headers), body);
            requests.add(request);
            final Responder responder = routes.get(request.method() + " " + request.path());
            Reply reply;
            try {
                reply = responder == null ? new Reply(404, error(40401, "Subject not found.")) : responder.reply(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                reply = new Reply(500, error(50001, "stub failed: " + e));
            }
            final byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.MEDIA_TYPE);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }
}
