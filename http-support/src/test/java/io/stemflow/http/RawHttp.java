package io.stemflow.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 exchange written by hand: the JDK client refuses to send a foreign Host or a malformed request.
 * Shared with the services' probe tests through this module's test-jar.
 */
public record RawHttp(int status, String headers, String body) {

    public static RawHttp exchange(final int port, final String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            final byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                all.write(buffer, 0, read);
            }
            final String text = all.toString(StandardCharsets.UTF_8);
            final int split = text.indexOf("\r\n\r\n");
            final String head = split < 0 ? text : text.substring(0, split);
            final String raw = split < 0 ? "" : text.substring(split + 4);
            final int status = Integer.parseInt(head.substring(9, 12));
            final RawHttp answer = new RawHttp(status, head, raw);
            return "chunked".equalsIgnoreCase(answer.header("Transfer-Encoding"))
                    ? new RawHttp(status, head, dechunk(raw)) : answer;
        }
    }

    public static String request(final String method, final String target, final String host, final String... headerLines) {
        final StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        request.append("Host: ").append(host).append("\r\n");
        for (final String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return request.append("Connection: close\r\n\r\n").toString();
    }

    /** {@code request} (from {@link #request}) with {@code body} and its {@code Content-Length}. */
    public static String withBody(final String request, final String body) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return request.substring(0, request.length() - 2) + "Content-Length: " + bytes.length + "\r\n\r\n"
                + new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String dechunk(final String chunked) {
        final StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            final int lineEnd = chunked.indexOf("\r\n", at);
            final int size = Integer.parseInt(chunked.substring(at, lineEnd).strip(), 16);
            if (size == 0) {
                break;
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
        return body.toString();
    }

    public String header(final String name) {
        for (final String line : headers.split("\r\n")) {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }
}
