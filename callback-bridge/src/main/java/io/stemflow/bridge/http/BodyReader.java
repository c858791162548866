package io.stemflow.bridge.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body of at most {@code maxBytes}, whether or not it declares a Content-Length
 * (a chunked body is counted as it arrives): a body is never buffered beyond the limit.
 *
 * <p>An oversized body is read on and dropped up to {@code drainLimit} bytes, so that the client,
 * still sending, gets to read the 413 instead of a reset connection; past that the connection is
 * closed. Only senders that passed the token check get here, so draining costs an attacker's
 * bandwidth nothing of ours.
 */
final class BodyReader {

    private static final int CHUNK = 8192;

    private final int maxBytes;
    private final long drainLimit;

    BodyReader(final int maxBytes) {
        this.maxBytes = maxBytes;
        this.drainLimit = 4L * maxBytes;
    }

    int maxBytes() {
        return maxBytes;
    }

    /** True when the declared length is already over the limit. */
    boolean declaredTooLarge(final long contentLength) {
        return contentLength > maxBytes;
    }

    /** True when a body of this declared length is small enough to drain before answering 413. */
    boolean drainable(final long contentLength) {
        return contentLength <= drainLimit;
    }

    /**
     * @return the body, or null when it is larger than the limit (then it was drained as far as allowed)
     */
    byte[] read(final InputStream in) throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxBytes, CHUNK));
        final byte[] buffer = new byte[CHUNK];
        long total = 0;
        int read;
        while ((read = in.read(buffer)) != -1) {
            total += read;
            if (total > maxBytes) {
                try {
                    drain(in, total);
                } catch (IOException brokenWhileDraining) {
                    // too large either way: the caller answers 413 and closes the connection
                }
                return null;
            }
            body.write(buffer, 0, read);
        }
        return body.toByteArray();
    }

    /** Reads and drops the rest of the body, up to {@code drainLimit} bytes in all. */
    void drain(final InputStream in, final long alreadyRead) throws IOException {
        final byte[] buffer = new byte[CHUNK];
        long total = alreadyRead;
        int read;
        while (total <= drainLimit && (read = in.read(buffer)) != -1) {
            total += read;
        }
    }
}
