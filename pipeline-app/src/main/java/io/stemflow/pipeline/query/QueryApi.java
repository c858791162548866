package io.stemflow.pipeline.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.EndpointNotFound;
import io.stemflow.pipeline.topology.QueueSummary;
import io.stemflow.pipeline.topology.StoreNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of the query API and their routing across instances.
 *
 * <p>For a key, Kafka Streams' metadata names the instance whose active task holds it. This
 * instance answers from its local store when that is itself, and otherwise forwards the same GET
 * once to the owner (marked with {@link QueryHeaders#FORWARDED_BY}) and relays the answer. A
 * forwarded request is never forwarded again: if this instance no longer holds the key, partitions
 * are moving and the answer is 503 with {@code Retry-After}. The forwarded GET carries the caller's
 * {@code Authorization} header: the owner checks the caller, not this instance.
 */
final class QueryApi {

    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);
    private static final String JSON = "application/json";

    private final StateSource source;
    private final PeerClient peers;
    private final QueryConfig config;
    private final ObjectMapper mapper = new ObjectMapper();
    private volatile HostInfo self;

    QueryApi(final StateSource source, final PeerClient peers, final QueryConfig config) {
        this.source = source;
        this.peers = peers;
        this.config = config;
    }

    /** Sets this instance's identity once the server listens; until then every store answer is 503. */
    void bind(final HostInfo hostInfo) {
        this.self = hostInfo;
    }

    void register(final RoutesConfig routes) {
        routes.get("/health", this::health);
        routes.get("/jobs/{requestId}", ctx -> byKey(ctx, "job", "requestId", "jobs", StoreNames.JOB_STATES,
                source::job, JobView::of));
        routes.get("/accounts/{accountId}", ctx -> byKey(ctx, "account", "accountId", "accounts",
                StoreNames.CREDIT_BALANCES, source::account, AccountView::of));
        routes.get("/batches/{batchId}", ctx -> byKey(ctx, "batch", "batchId", "batches", StoreNames.BATCH_COUNTS,
                source::batch, tally -> BatchView.of(ctx.pathParam("batchId"), tally)));
        routes.get("/accounts", this::allAccounts);
        routes.get("/queues", this::queues);
        routes.get("/queues/batches/{batchId}", this::batchQueue);
        routes.get("/jobs", ctx -> error(ctx, 400, ErrorView.BAD_REQUEST, "requestId is required: GET /jobs/{requestId}"));
        routes.get("/batches", this::allBatches);

        routes.exception(StoreUnavailableException.class, (e, ctx) -> {
            LOG.debug("{} {} unavailable: {}", ctx.method(), ctx.path(), e.getMessage());
            unavailable(ctx, e.getMessage());
        });
        routes.exception(EndpointNotFound.class, (e, ctx) ->
                error(ctx, 404, ErrorView.NOT_FOUND, "no endpoint " + ctx.method() + " " + ctx.path()));
        routes.exception(HttpResponseException.class, (e, ctx) ->
                error(ctx, e.getStatus(), e.getStatus() == 404 ? ErrorView.NOT_FOUND : ErrorView.BAD_REQUEST,
                        e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("Query {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, ErrorView.INTERNAL, "the query failed: " + e.getClass().getSimpleName());
        });
    }

    private void health(final Context ctx) {
        final KafkaStreams.State state = source.state();
        final boolean up = state == KafkaStreams.State.RUNNING;
        json(ctx, up ? 200 : 503, new HealthView(up ? "UP" : "DOWN", state.name()));
    }

    /**
     * Answers one key: from the local store when this instance holds it, else forwarded to the
     * instance that does.
     */
    private <V> void byKey(final Context ctx, final String kind, final String param, final String collection,
                           final String store, final BiFunction<String, Integer, Optional<V>> read,
                           final Function<V, Object> view) {
        final String key = ctx.pathParam(param);
        if (key.isBlank()) {
            error(ctx, 400, ErrorView.BAD_REQUEST, param + " must not be blank");
            return;
        }
        final HostInfo me = identity();
        final KeyOwner owner = source.ownerOf(store, key);
        if (!owner.host().equals(me)) {
            final String forwarder = ctx.header(QueryHeaders.FORWARDED_BY);
            if (forwarder != null) {
                throw new StoreUnavailableException(kind + " '" + key + "' was forwarded here by " + forwarder
                        + " but instance " + PeerClient.idOf(owner.host()) + " holds it now; partitions are moving");
            }
            relay(ctx, peers.get(owner.host(), "/" + collection + "/" + PathSegments.encode(key), PeerClient.idOf(me),
                    ctx.header(PeerClient.AUTHORIZATION)));
            return;
        }
        final Optional<V> value = read.apply(key, owner.partition());
        ctx.header(QueryHeaders.SERVED_BY, PeerClient.idOf(me));
        if (value.isEmpty()) {
            error(ctx, 404, ErrorView.NOT_FOUND, kind + " '" + key + "' not found");
            return;
        }
        json(ctx, 200, view.apply(value.get()));
    }

    /** Every account ({@code GET /accounts}), gathered from every instance: see {@link #gather}. */
    private void allAccounts(final Context ctx) {
        final Gathered<AccountView> all = gather(ctx, "/accounts", "accounts", StoreNames.CREDIT_BALANCES,
                () -> source.localAccounts().stream().map(AccountView::of).toList(),
                body -> mapper.readValue(body, AccountsView.class).accounts(), AccountView::accountId);
        json(ctx, 200, new AccountsView(all.rows(), all.instances()));
    }

    /** Every batch ({@code GET /batches}), gathered from every instance: see {@link #gather}. */
    private void allBatches(final Context ctx) {
        final Gathered<BatchView> all = gather(ctx, "/batches", "batches", StoreNames.BATCH_COUNTS,
                () -> source.localBatches().entrySet().stream().map(e -> BatchView.of(e.getKey(), e.getValue()))
                        .toList(),
                body -> mapper.readValue(body, BatchesView.class).batches(), BatchView::batchId);
        json(ctx, 200, new BatchesView(all.rows(), all.instances()));
    }

    private record Gathered<R>(List<R> rows, List<String> instances) {
    }

    /** Reads a peer's answer to a list request (Jackson may throw). */
    @FunctionalInterface
    private interface RowsReader<R> {
        List<R> read(byte[] body) throws IOException;
    }

    /**
     * Every row of {@code store}: this instance's partitions, plus (unless the request was itself forwarded)
     * every other instance's, asked in parallel at {@code path}; sorted by key. If one instance cannot answer the
     * list would be incomplete, so the answer is 503.
     */
    private <R> Gathered<R> gather(final Context ctx, final String path, final String what, final String store,
                                   final java.util.function.Supplier<List<R>> local, final RowsReader<R> reader,
                                   final Function<R, String> key) {
        final HostInfo me = identity();
        final KafkaStreams.State state = source.state();
        if (state != KafkaStreams.State.RUNNING) {
            throw new StoreUnavailableException(what + " cannot be listed while Kafka Streams is " + state);
        }
        final Set<HostInfo> hosts = source.hostsOf(store);
        if (hosts.isEmpty()) {
            throw new StoreUnavailableException("no instance holds store " + store + " yet");
        }
        final boolean forwarded = ctx.header(QueryHeaders.FORWARDED_BY) != null;
        final Map<HostInfo, CompletableFuture<PeerClient.PeerReply>> asked = new LinkedHashMap<>();
        if (!forwarded) {
            for (final HostInfo host : hosts) {
                if (!host.equals(me)) {
                    asked.put(host, peers.getAsync(host, path, PeerClient.idOf(me),
                            ctx.header(PeerClient.AUTHORIZATION)));
                }
            }
        }
        final Map<String, R> merged = new TreeMap<>();
        final List<String> instances = new ArrayList<>();
        if (hosts.contains(me)) {
            local.get().forEach(row -> merged.put(key.apply(row), row));
            instances.add(PeerClient.idOf(me));
        }
        for (final Map.Entry<HostInfo, CompletableFuture<PeerClient.PeerReply>> e : asked.entrySet()) {
            rowsOf(peers.await(e.getValue(), e.getKey(), path), path, what, reader)
                    .forEach(row -> merged.putIfAbsent(key.apply(row), row));
            instances.add(PeerClient.idOf(e.getKey()));
        }
        ctx.header(QueryHeaders.SERVED_BY, String.join(",", instances));
        return new Gathered<>(List.copyOf(merged.values()), instances);
    }

    /**
     * The scheduler's queues. The scheduler is one task (its input has one partition): the instance that runs
     * it answers, any other forwards there once.
     */
    private void queues(final Context ctx) {
        onScheduler(ctx, "/queues", summary -> summary);
    }

    /** One batch's place in the queues: its lanes, what waits ahead of it, its share. */
    private void batchQueue(final Context ctx) {
        final String batchId = ctx.pathParam("batchId");
        if (batchId.isBlank()) {
            error(ctx, 400, ErrorView.BAD_REQUEST, "batchId must not be blank");
            return;
        }
        onScheduler(ctx, "/queues/batches/" + PathSegments.encode(batchId), s -> BatchQueueView.of(batchId, s));
    }

    private void onScheduler(final Context ctx, final String path, final Function<QueueSummary, Object> view) {
        final HostInfo me = identity();
        final KeyOwner owner = source.ownerOf(StoreNames.QUEUE_LANES, "queue");
        if (!owner.host().equals(me)) {
            final String forwarder = ctx.header(QueryHeaders.FORWARDED_BY);
            if (forwarder != null) {
                throw new StoreUnavailableException("the queues were asked here by " + forwarder + " but instance "
                        + PeerClient.idOf(owner.host()) + " runs the scheduler now; partitions are moving");
            }
            relay(ctx, peers.get(owner.host(), path, PeerClient.idOf(me), ctx.header(PeerClient.AUTHORIZATION)));
            return;
        }
        ctx.header(QueryHeaders.SERVED_BY, PeerClient.idOf(me));
        json(ctx, 200, view.apply(source.queues()));
    }

    private static <R> List<R> rowsOf(final PeerClient.PeerReply reply, final String path, final String what,
                                      final RowsReader<R> reader) {
        final String peer = PeerClient.idOf(reply.peer());
        if (reply.status() != 200) {
            throw new StoreUnavailableException("instance " + peer + " answered " + reply.status()
                    + " to GET " + path + ": " + abbreviate(reply.bodyText()));
        }
        try {
            return reader.read(reply.body());
        } catch (IOException e) {
            throw new StoreUnavailableException("instance " + peer + " answered GET " + path + " with something "
                    + "that is not a list of " + what + ": " + abbreviate(reply.bodyText()), e);
        }
    }

    /** This instance, once the server listens (the dashboard asks it). */
    HostInfo self() {
        return identity();
    }

    private HostInfo identity() {
        final HostInfo me = self;
        if (me == null) {
            throw new StoreUnavailableException("the query API is still starting");
        }
        return me;
    }

    private static void relay(final Context ctx, final PeerClient.PeerReply reply) {
        if (reply.servedBy() != null) {
            ctx.header(QueryHeaders.SERVED_BY, reply.servedBy());
        }
        if (reply.retryAfter() != null) {
            ctx.header(QueryHeaders.RETRY_AFTER, reply.retryAfter());
        }
        ctx.status(reply.status()).contentType(reply.contentType()).result(reply.body());
    }

    private void unavailable(final Context ctx, final String message) {
        ctx.header(QueryHeaders.RETRY_AFTER, Long.toString(config.retryAfterSeconds()));
        error(ctx, 503, ErrorView.UNAVAILABLE, message);
    }

    private void error(final Context ctx, final int status, final String code, final String message) {
        json(ctx, status, new ErrorView(code, message));
    }

    private void json(final Context ctx, final int status, final Object body) {
        final byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
        }
        ctx.status(status).contentType(JSON).result(bytes);
    }

    private static String abbreviate(final String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    /** Percent-encodes one path segment (RFC 3986: everything but unreserved characters). */
    static final class PathSegments {

        private PathSegments() {
        }

        static String encode(final String segment) {
            final StringBuilder out = new StringBuilder(segment.length() + 8);
            for (final byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                final int c = b & 0xff;
                if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                        || c == '-' || c == '.' || c == '_' || c == '~') {
                    out.append((char) c);
                } else {
                    out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                }
            }
            return out.toString();
        }
    }
}
