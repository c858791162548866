package io.stemflow.pipeline.query;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Forwards GETs to another instance's query API (its {@code application.server}), marked with
 * {@link QueryHeaders#FORWARDED_BY}, carrying the caller's own {@code Authorization} header (the owner checks
 * the caller's credential, never one of this instance) and bounded by a short timeout. A peer that does not answer in
 * time, or cannot be reached, is a {@link StoreUnavailableException}: the key's owner may be moving.
 */
final class PeerClient {

    static final String AUTHORIZATION = "Authorization";

    private final HttpClient client;
    private final Duration timeout;

    PeerClient(final Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** What the peer answered, to be relayed as is. */
    record PeerReply(HostInfo peer, int status, byte[] body, String contentType, String servedBy,
                     String retryAfter) {

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * GETs {@code path} (already encoded) from {@code peer}, waiting at most the timeout; {@code authorization}
     * is the caller's {@code Authorization} header, passed on as it is (null: none).
     */
    PeerReply get(final HostInfo peer, final String path, final String forwardedBy, final String authorization) {
        return await(getAsync(peer, path, forwardedBy, authorization), peer, path);
    }

    /** Starts a GET; the future fails with {@link StoreUnavailableException} or completes with the reply. */
    CompletableFuture<PeerReply> getAsync(final HostInfo peer, final String path, final String forwardedBy,
                                          final String authorization) {
        final URI uri = URI.create("http://" + hostLiteral(peer.host()) + ":" + peer.port() + path);
        final HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json");
        if (forwardedBy != null) {
            builder.header(QueryHeaders.FORWARDED_BY, forwardedBy);
        }
        if (authorization != null && !authorization.isBlank()) {
            builder.header(AUTHORIZATION, authorization);
        }
        final HttpRequest request = builder.GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw new StoreUnavailableException("instance " + idOf(peer) + " did not answer GET "
                                + path + " within " + timeout.toMillis() + " ms: " + describe(failure), unwrap(failure));
                    }
                    return new PeerReply(peer, response.statusCode(), response.body(),
                            response.headers().firstValue("Content-Type").orElse("application/json"),
                            response.headers().firstValue(QueryHeaders.SERVED_BY).orElse(null),
                            response.headers().firstValue(QueryHeaders.RETRY_AFTER).orElse(null));
                });
    }

    /** Waits for a reply started by {@link #getAsync}, unwrapping its failure. */
    PeerReply await(final CompletableFuture<PeerReply> reply, final HostInfo peer, final String path) {
        try {
            return reply.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while asking instance " + idOf(peer) + " for " + path, e);
        } catch (ExecutionException e) {
            final Throwable cause = unwrap(e);
            if (cause instanceof StoreUnavailableException unavailable) {
                throw unavailable;
            }
            throw new StoreUnavailableException("instance " + idOf(peer) + " did not answer GET " + path + ": "
                    + describe(cause), cause);
        }
    }

    static String idOf(final HostInfo host) {
        return host.host() + ":" + host.port();
    }

    private static String hostLiteral(final String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static Throwable unwrap(final Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(final Throwable failure) {
        final Throwable t = unwrap(failure);
        if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (t instanceof IOException) {
            return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
        }
        return t.toString();
    }
}
