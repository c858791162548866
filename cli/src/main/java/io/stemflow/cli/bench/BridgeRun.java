package io.stemflow.cli.bench;

import io.stemflow.avro.Stem;
import io.stemflow.schemas.provider.CallbackToken;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Callbacks through the callback bridge as the provider sends them: a POST of the contract's success body to each
 * job's callback URL with its token, {@code concurrency} in flight at once, each answered only after the bridge's
 * producer had its acknowledgement. Latency is the HTTP round trip.
 *
 * @param callbacks answered 200
 * @param refused   answered anything else, or not at all
 * @param nanos     from the first request to the last answer
 * @param latency   of the answered callbacks
 */
record BridgeRun(int callbacks, int refused, int concurrency, long nanos, Latencies latency) {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static BridgeRun run(final URI bridge, final CallbackToken token, final List<String> requestIds,
                         final int concurrency, final Duration deadline, final Progress progress) {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        final Semaphore inFlight = new Semaphore(concurrency);
        final long[] latencies = new long[requestIds.size()];
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final java.util.Map<Integer, String> refusals = new ConcurrentHashMap<>();
        final long start = System.nanoTime();
        try {
            for (int i = 0; i < requestIds.size(); i++) {
                inFlight.acquire();
                final int index = i;
                final String id = requestIds.get(i);
                final long sent = System.nanoTime();
                http.sendAsync(request(bridge, token, id), HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> {
                            if (error == null && response.statusCode() == 200) {
                                latencies[answered.getAndIncrement()] = System.nanoTime() - sent;
                            } else {
                                refused.incrementAndGet();
                                refusals.putIfAbsent(error == null ? response.statusCode() : -1,
                                        error == null ? response.body() : String.valueOf(error.getMessage()));
                            }
                            inFlight.release();
                        });
                progress.show("callbacks sent", index + 1, requestIds.size());
            }
            if (!inFlight.tryAcquire(concurrency, deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("callbacks still unanswered after " + deadline.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending callbacks", e);
        }
        progress.done();
        final long nanos = System.nanoTime() - start;
        if (refused.get() > 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the bridge refused %,d of %,d callbacks: %s",
                    refused.get(), requestIds.size(), refusals.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; "))));
        }
        final int ok = answered.get();
        return new BridgeRun(ok, refused.get(), concurrency, nanos,
                Latencies.ofNanos(java.util.Arrays.copyOf(latencies, ok)));
    }

    private static HttpRequest request(final URI bridge, final CallbackToken token, final String requestId) {
        final String path = "/callbacks/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8)
                + "?token=" + URLEncoder.encode(token.tokenFor(requestId), StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(bridge.resolve(path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(requestId), StandardCharsets.UTF_8)).build();
    }

    /** The provider's callback of a successful split_stem task (docs/provider-contract). */
    static String body(final String requestId) {
        final StringBuilder urls = new StringBuilder("\"origin_url\": \"\"");
        for (final Stem stem : ResultPath.STEMS) {
            urls.append(", \"").append(field(stem)).append("\": \"").append(ResultPath.url(requestId, stem)).append('"');
        }
        return "{\"code\": 200, \"msg\": \"vocal separation completed\", \"data\": {\"task_id\": \""
                + SubmitterRole.taskOf(requestId) + "\", \"vocal_removal_info\": {" + urls + "}}}";
    }

    private static String field(final Stem stem) {
        return stem == Stem.VOCALS ? "vocal_url" : stem.name().toLowerCase(Locale.ROOT) + "_url";
    }

    double perSecond() {
        return callbacks * 1e9 / nanos;
    }
}
