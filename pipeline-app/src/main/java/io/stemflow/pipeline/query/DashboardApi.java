package io.stemflow.pipeline.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.JobState;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.Role;
import io.stemflow.pipeline.dashboard.ControlPublisher;
import io.stemflow.pipeline.dashboard.Dashboard;
import io.stemflow.pipeline.dashboard.FeedState;
import io.stemflow.pipeline.dashboard.ProviderCalls;
import io.stemflow.schemas.Replays;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's dashboard: its page (three static files from the jar, open: they hold no data) and its API under
 * {@code /dashboard/api}, guarded like every other route of the query API (a viewer token to read, an operator's
 * to act). See docs/dashboard.md.
 *
 * <p>The API composes the query API's own answers: it asks this very instance ({@code GET /batches},
 * {@code /accounts}, ...) with the caller's {@code Authorization} header, so the forwarding to the instance that
 * holds a key, and the gathering of lists from every instance, stay in one place ({@link QueryApi}), and the
 * caller never reads more through the dashboard than through the API. What no store keeps (dead letters, stems per
 * type, pace, ledger history, archived copies, provider calls) comes from the instance's own {@link Dashboard}.
 *
 * <p>Live updates: {@code GET /dashboard/api/events?view=...} is a server-sent event stream; every
 * {@link #TICK} the view is computed again and sent when it changed.
 */
final class DashboardApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardApi.class);
    static final String PREFIX = "/dashboard";
    static final String API = PREFIX + "/api";
    static final Duration TICK = Duration.ofSeconds(2);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final String ASSETS = "/io/stemflow/pipeline/dashboard/";
    private static final Map<String, String> FILES = Map.of(
            PREFIX + "/", "index.html",
            PREFIX + "/app.js", "app.js",
            PREFIX + "/app.css", "app.css");
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");
    static final String CSP = "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /** What an operator may do to a batch from its page; all but a replay are control commands. */
    enum Action {
        PAUSE(ControlAction.PAUSE, "waiting", EnumSet.of(JobState.REQUESTED, JobState.THROTTLED, JobState.QUEUED)),
        RESUME(ControlAction.RESUME, "paused", EnumSet.of(JobState.PAUSED)),
        CANCEL(ControlAction.CANCEL, "waiting", EnumSet.of(JobState.REQUESTED, JobState.THROTTLED, JobState.QUEUED,
                JobState.PAUSED)),
        REPLAY(null, "failed", EnumSet.of(JobState.FAILED, JobState.TIMED_OUT));

        final ControlAction control;
        final String jobs;
        final Set<JobState> touched;

        Action(final ControlAction control, final String jobs, final Set<JobState> touched) {
            this.control = control;
            this.jobs = jobs;
            this.touched = touched;
        }

        String verb() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Replays checked against the job store at once (each a GET of this instance). */
    private static final int REPLAY_CHECKS_AT_ONCE = 32;
    /** Skipped replays listed in the answer (all are counted). */
    private static final int SKIPS_LISTED = 50;

    private static final Set<JobState> DONE = EnumSet.of(JobState.COMPLETED, JobState.FAILED, JobState.TIMED_OUT,
            JobState.CANCELLED, JobState.REPLAYED);
    private static final Pattern VIEW = Pattern.compile("overview|(batch|job|account)/.+");
    private static final int REASON_LIMIT = 500;

    /** An answer of the dashboard's API: a status and a JSON body. */
    record Reply(int status, JsonNode body) {
    }

    private final Dashboard dashboard;
    private final HttpAccess access;
    private final PeerClient peers;
    private final Supplier<HostInfo> self;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, byte[]> files = new HashMap<>();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "dashboard-events");
        t.setDaemon(true);
        return t;
    });

    DashboardApi(final Dashboard dashboard, final HttpAccess access, final PeerClient peers,
                 final Supplier<HostInfo> self, final Clock clock) {
        this.dashboard = dashboard;
        this.access = access;
        this.peers = peers;
        this.self = self;
        this.clock = clock;
        for (final String file : FILES.values()) {
            files.put(file, read(file));
        }
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The paths that need no token: the page's files. */
    static String[] openPaths() {
        final java.util.List<String> open = new java.util.ArrayList<>(FILES.keySet());
        open.add(PREFIX);
        return open.toArray(String[]::new);
    }

    void register(final RoutesConfig routes) {
        // Javalin takes /dashboard and /dashboard/ for one path: the page's relative links need the slash
        FILES.forEach((path, file) -> routes.get(path, ctx -> {
            if (ctx.path().equals(PREFIX)) {
                ctx.redirect(PREFIX + "/", io.javalin.http.HttpStatus.FOUND);
            } else {
                file(ctx, file);
            }
        }));
        routes.get(API + "/session", this::session);
        routes.get(API + "/overview", ctx -> answer(ctx, view("overview", auth(ctx))));
        routes.get(API + "/batches/{batchId}", ctx -> answer(ctx, view("batch/" + ctx.pathParam("batchId"),
                auth(ctx))));
        routes.get(API + "/jobs/{requestId}", ctx -> answer(ctx, view("job/" + ctx.pathParam("requestId"),
                auth(ctx))));
        routes.get(API + "/accounts/{accountId}", ctx -> answer(ctx, view("account/"
                + ctx.pathParam("accountId"), auth(ctx))));
        routes.get(API + "/batches/{batchId}/actions/{action}", this::preview);
        routes.post(API + "/batches/{batchId}/actions/{action}", this::act);
        routes.sse(API + "/events", this::subscribe);
    }

    private void file(final Context ctx, final String file) {
        ctx.header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-cache")
                .contentType(TYPES.get(file))
                .result(files.get(file));
    }

    private void session(final Context ctx) {
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("role", access.roleOf(ctx).orElse(Role.VIEWER).label());
        body.put("auth", access.auth() == HttpAccess.Auth.OFF ? "off" : "tokens");
        answer(ctx, new Reply(200, body));
    }

    /**
     * One view of the dashboard, as its GET route and its event stream send it: {@code overview},
     * {@code batch/{id}}, {@code job/{id}} or {@code account/{id}}.
     */
    Reply view(final String view, final String authorization) {
        try {
            if ("overview".equals(view)) {
                return new Reply(200, overview(authorization));
            }
            final int slash = view.indexOf('/');
            final String kind = slash < 0 ? view : view.substring(0, slash);
            final String id = slash < 0 ? "" : view.substring(slash + 1);
            if (id.isBlank()) {
                return error(400, ErrorView.BAD_REQUEST, kind + " id must not be blank");
            }
            return switch (kind) {
                case "batch" -> new Reply(200, batch(id, authorization));
                case "job" -> new Reply(200, job(id, authorization));
                case "account" -> new Reply(200, account(id, authorization));
                default -> error(400, ErrorView.BAD_REQUEST, "view must be overview, batch/{batchId}, "
                        + "job/{requestId} or account/{accountId}, was '" + abbreviate(view) + "'");
            };
        } catch (Refused e) {
            return e.reply;
        } catch (StoreUnavailableException e) {
            return error(503, ErrorView.UNAVAILABLE, e.getMessage());
        }
    }

    private JsonNode overview(final String authorization) {
        final JsonNode batches = ask("/batches", authorization).path("batches");
        final JsonNode accounts = ask("/accounts", authorization).path("accounts");
        final Map<String, Long> byState = new LinkedHashMap<>();
        for (final JobState state : JobState.values()) {
            long n = 0;
            for (final JsonNode batch : batches) {
                n += batch.path("counts").path(state.name()).asLong(0);
            }
            if (n > 0) {
                byState.put(state.name(), n);
            }
        }
        long total = 0;
        for (final JsonNode batch : batches) {
            total += batch.path("total").asLong(0);
        }
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        final ObjectNode jobs = body.putObject("jobs");
        jobs.put("total", total);
        jobs.set("byState", mapper.valueToTree(byState));
        body.set("batches", batches);
        body.set("accounts", accounts);
        body.set("deadLetters", mapper.valueToTree(dashboard.feed().state().deadLetters()));
        body.set("provider", provider(dashboard.providerCalls().windows()));
        body.set("feed", mapper.valueToTree(dashboard.feed().progress()));
        return body;
    }

    private JsonNode provider(final ProviderCalls.Windows windows) {
        final ObjectNode provider = JsonNodeFactory.instance.objectNode();
        final ObjectNode limit = provider.putObject("limit");
        limit.put("calls", windows.limit().calls());
        limit.put("windowSeconds", windows.limit().window().toMillis() / 1000.0);
        provider.put("windowSeconds", windows.windowSeconds());
        provider.put("limitPerWindow", windows.limitPerWindow());
        provider.set("windows", mapper.valueToTree(windows.windows()));
        provider.put("error", windows.error());
        return provider;
    }

    private JsonNode batch(final String batchId, final String authorization) {
        final JsonNode batch = ask("/batches/" + QueryApi.PathSegments.encode(batchId), authorization);
        final FeedState feed = dashboard.feed().state();
        final long total = batch.path("total").asLong(0);
        final long done = count(batch, DONE);
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("batch", batch);
        body.put("done", done);
        body.put("waiting", count(batch, Action.CANCEL.touched));
        final Optional<FeedState.Pace> pace = feed.paceOf(batchId, clock.instant());
        if (pace.isPresent() && total > done && pace.get().perMinute() > 0) {
            final ObjectNode eta = body.putObject("eta");
            eta.put("seconds", Math.round((total - done) / pace.get().perMinute() * 60));
            eta.put("jobsPerMinute", Math.round(pace.get().perMinute() * 10) / 10.0);
        } else {
            body.putNull("eta");
        }
        body.set("stems", mapper.valueToTree(feed.stemsOf(batchId)));
        body.set("failures", mapper.valueToTree(feed.failuresOf(batchId)));
        body.set("queue", optional("/queues/batches/" + QueryApi.PathSegments.encode(batchId), authorization));
        return body;
    }

    private JsonNode job(final String requestId, final String authorization) {
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("job", ask("/jobs/" + QueryApi.PathSegments.encode(requestId), authorization));
        body.set("archived", mapper.valueToTree(dashboard.feed().state().archivedOf(requestId)));
        return body;
    }

    private JsonNode account(final String accountId, final String authorization) {
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("account", ask("/accounts/" + QueryApi.PathSegments.encode(accountId), authorization));
        body.set("history", mapper.valueToTree(dashboard.feed().state().historyOf(accountId)));
        return body;
    }

    private static long count(final JsonNode batch, final Set<JobState> states) {
        long n = 0;
        for (final JobState state : states) {
            n += batch.path("counts").path(state.name()).asLong(0);
        }
        return n;
    }

    // ---- actions

    private void preview(final Context ctx) {
        final Optional<Action> action = action(ctx);
        if (action.isEmpty()) {
            return;
        }
        final String batchId = ctx.pathParam("batchId");
        final Reply batch = view("batch/" + batchId, auth(ctx));
        if (batch.status() != 200) {
            answer(ctx, batch);
            return;
        }
        answer(ctx, new Reply(200, describe(action.get(), batchId, batch.body())));
    }

    private void act(final Context ctx) {
        final Optional<Action> action = action(ctx);
        if (action.isEmpty()) {
            return;
        }
        final String batchId = ctx.pathParam("batchId");
        final JsonNode request;
        try {
            request = mapper.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            answer(ctx, error(400, ErrorView.BAD_REQUEST, "the body must be JSON: {\"confirm\": \"<the description "
                    + "shown>\", \"reason\": \"optional\"}"));
            return;
        }
        final String confirm = request == null ? null : request.path("confirm").textValue();
        final String reason = request == null ? null : request.path("reason").textValue();
        if (confirm == null || confirm.isBlank()) {
            answer(ctx, error(400, ErrorView.BAD_REQUEST, "confirm is required: the description GET "
                    + ctx.path() + " gave, as the operator confirmed it"));
            return;
        }
        if (reason != null && reason.length() > REASON_LIMIT) {
            answer(ctx, error(400, ErrorView.BAD_REQUEST, "reason must be at most " + REASON_LIMIT + " characters"));
            return;
        }
        final Reply batch = view("batch/" + batchId, auth(ctx));
        if (batch.status() != 200) {
            answer(ctx, batch);
            return;
        }
        final ObjectNode now = describe(action.get(), batchId, batch.body());
        if (!confirms(confirm, action.get(), batchId)) {
            final ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("error", "stale_confirmation");
            body.put("message", "what was confirmed is not what this would do now: confirm again");
            body.put("description", now.path("description").asText());
            body.put("jobs", now.path("jobs").asLong());
            answer(ctx, new Reply(409, body));
            return;
        }
        try {
            answer(ctx, new Reply(202, action.get() == Action.REPLAY
                    ? replay(batchId, auth(ctx), now)
                    : command(action.get(), batchId, reason, now)));
        } catch (ControlPublisher.ControlNotSentException | IllegalStateException e) {
            LOG.warn("The dashboard's {} of batch {} was not sent: {}", action.get().verb(), batchId, e.getMessage());
            answer(ctx, error(503, ErrorView.UNAVAILABLE, "the " + action.get().verb() + " was not sent ("
                    + e.getMessage() + "); nothing changed, try again"));
        }
    }

    private ObjectNode command(final Action action, final String batchId, final String reason, final ObjectNode now) {
        final String commandId = UUID.randomUUID().toString();
        dashboard.control().send(ControlCommand.newBuilder()
                .setCommandId(commandId)
                .setAction(action.control)
                .setScope(ControlScope.BATCH)
                .setTarget(batchId)
                .setAccountId(null)
                .setRequestedBy("dashboard")
                .setReason(reason == null || reason.isBlank() ? "from the dashboard" : reason)
                .setRequestedAt(clock.instant())
                .build());
        LOG.info("Dashboard: {} of batch {} sent as command {}", action.verb(), batchId, commandId);
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("commandId", commandId);
        body.put("description", now.path("description").asText());
        return body;
    }

    /**
     * Replays the batch's failed jobs as {@code stemflow replay --batch} does: the newest replayable dead letter of
     * each, unless the job moved on since (checked in the job store, as the caller).
     */
    private ObjectNode replay(final String batchId, final String authorization, final ObjectNode now) {
        final List<DeadLetter> letters = new ArrayList<>(dashboard.failedJobs().of(batchId).values());
        final List<SeparationRequest> replays = new ArrayList<>();
        final ArrayNode skipped = JsonNodeFactory.instance.arrayNode();
        long skips = 0;
        for (int from = 0; from < letters.size(); from += REPLAY_CHECKS_AT_ONCE) {
            final List<DeadLetter> chunk = letters.subList(from, Math.min(letters.size(), from + REPLAY_CHECKS_AT_ONCE));
            final List<CompletableFuture<PeerClient.PeerReply>> jobs = chunk.stream().map(d -> peers.getAsync(
                    self.get(), "/jobs/" + QueryApi.PathSegments.encode(d.getRequestId()), null, authorization))
                    .toList();
            for (int i = 0; i < chunk.size(); i++) {
                final DeadLetter letter = chunk.get(i);
                final PeerClient.PeerReply reply = peers.await(jobs.get(i), self.get(), "/jobs/" + letter.getRequestId());
                final Optional<String> skip;
                if (reply.status() == 200) {
                    final JsonNode job = parse(reply);
                    skip = Replays.skipReason(letter, job.path("state").asText(), job.path("attempt").asInt());
                } else {
                    skip = Optional.of(reply.status() == 404 ? "stemflow no longer knows this job"
                            : "its state cannot be read now (" + reply.status() + ")");
                }
                if (skip.isPresent()) {
                    skips++;
                    if (skipped.size() < SKIPS_LISTED) {
                        skipped.addObject().put("requestId", letter.getRequestId()).put("reason", skip.get());
                    }
                } else {
                    replays.add(Replays.replayOf(letter, clock.instant()));
                }
            }
        }
        dashboard.control().replay(replays);
        LOG.info("Dashboard: {} failed jobs of batch {} replayed, {} skipped", replays.size(), batchId, skips);
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("description", now.path("description").asText());
        body.put("replayed", replays.size());
        body.put("skippedCount", skips);
        body.set("skipped", skipped);
        return body;
    }

    /** "cancel 3,214 waiting jobs of batch fall-2026". */
    static ObjectNode describe(final Action action, final String batchId, final JsonNode batchView) {
        final long jobs = count(batchView.path("batch"), action.touched);
        final ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("action", action.verb());
        body.put("batchId", batchId);
        body.put("jobs", jobs);
        body.put("description", String.format(Locale.US, "%s %,d %s %s of batch %s", action.verb(), jobs,
                action.jobs, jobs == 1 ? "job" : "jobs", batchId));
        return body;
    }

    /**
     * Whether the text the operator confirmed names this action on this batch. The number of jobs may have moved
     * since it was shown (jobs end while the dialog is open): the action applies to what is there when it arrives,
     * and the answer says what that was.
     */
    static boolean confirms(final String confirmed, final Action action, final String batchId) {
        return Pattern.compile(Pattern.quote(action.verb()) + " [0-9,]+ " + action.jobs + " jobs? of batch "
                + Pattern.quote(batchId)).matcher(confirmed).matches();
    }

    private Optional<Action> action(final Context ctx) {
        final String name = ctx.pathParam("action");
        final Optional<Action> action = Arrays.stream(Action.values())
                .filter(a -> a.verb().equals(name)).findFirst();
        if (action.isEmpty()) {
            answer(ctx, error(404, ErrorView.NOT_FOUND, "no action '" + abbreviate(name)
                    + "': pause, resume, cancel or replay"));
        }
        return action;
    }

    // ---- live updates

    private final class Subscriber {
        final SseClient client;
        final String view;
        final String authorization;
        String last;
        long lastSentNanos = System.nanoTime();

        Subscriber(final SseClient client, final String view, final String authorization) {
            this.client = client;
            this.view = view;
            this.authorization = authorization;
        }
    }

    private void subscribe(final SseClient client) {
        final String view = client.ctx().queryParam("view");
        client.ctx().header("Cache-Control", "no-cache").header("X-Accel-Buffering", "no");
        if (view == null || !VIEW.matcher(view).matches()) {
            client.sendEvent("error", text(error(400, ErrorView.BAD_REQUEST, "view must be overview, batch/{batchId}, "
                    + "job/{requestId} or account/{accountId}").body()));
            client.close();
            return;
        }
        final Subscriber subscriber = new Subscriber(client, view, client.ctx().header(PeerClient.AUTHORIZATION));
        client.keepAlive();
        client.onClose(() -> subscribers.remove(subscriber));
        subscribers.add(subscriber);
        ticker.execute(() -> push(subscriber, new HashMap<>()));
    }

    private void tick() {
        final Map<String, Reply> computed = new HashMap<>();
        for (final Iterator<Subscriber> it = subscribers.iterator(); it.hasNext(); ) {
            final Subscriber s = it.next();
            if (s.client.terminated()) {
                it.remove();
                continue;
            }
            push(s, computed);
        }
    }

    /** Sends the subscriber's view if it changed (views computed this tick are shared by callers of one token). */
    private void push(final Subscriber s, final Map<String, Reply> computed) {
        try {
            final Reply reply = computed.computeIfAbsent(s.view + "\n" + s.authorization,
                    k -> view(s.view, s.authorization));
            if (reply.status() == 200 || reply.status() == 503) {
                final String event = reply.status() == 200 ? "update" : "unavailable";
                final String data = text(reply.body());
                if (!(event + data).equals(s.last)) {
                    s.client.sendEvent(event, data);
                    s.last = event + data;
                    s.lastSentNanos = System.nanoTime();
                } else if (System.nanoTime() - s.lastSentNanos > KEEP_ALIVE.toNanos()) {
                    s.client.sendComment("keep-alive");
                    s.lastSentNanos = System.nanoTime();
                }
                return;
            }
            s.client.sendEvent("error", text(reply.body()));
            s.client.close();
            subscribers.remove(s);
        } catch (RuntimeException e) {
            LOG.debug("Dashboard event stream of {} ended: {}", s.view, e.toString());
            subscribers.remove(s);
            s.client.close();
        }
    }

    // ---- plumbing

    /** This instance's own answer to a GET of the query API, for the caller; a refusal is passed on as it is. */
    private JsonNode ask(final String path, final String authorization) {
        final PeerClient.PeerReply reply = peers.get(self.get(), path, null, authorization);
        final JsonNode body = parse(reply);
        if (reply.status() != 200) {
            throw new Refused(new Reply(reply.status(), body));
        }
        return body;
    }

    /** As {@link #ask}, but null for anything but 200 (a part of a page that may be missing). */
    private JsonNode optional(final String path, final String authorization) {
        try {
            final PeerClient.PeerReply reply = peers.get(self.get(), path, null, authorization);
            return reply.status() == 200 ? parse(reply) : null;
        } catch (StoreUnavailableException e) {
            return null;
        }
    }

    private JsonNode parse(final PeerClient.PeerReply reply) {
        try {
            return mapper.readTree(reply.body());
        } catch (IOException e) {
            throw new StoreUnavailableException("this instance answered with something that is not JSON ("
                    + reply.status() + ")", e);
        }
    }

    private static final class Refused extends RuntimeException {
        private final transient Reply reply;

        Refused(final Reply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }
    }

    private static String auth(final Context ctx) {
        return ctx.header(PeerClient.AUTHORIZATION);
    }

    private Reply error(final int status, final String code, final String message) {
        return new Reply(status, mapper.valueToTree(new ErrorView(code, message)));
    }

    private void answer(final Context ctx, final Reply reply) {
        ctx.header("Cache-Control", "no-store");
        ctx.status(reply.status()).contentType("application/json").result(text(reply.body()));
    }

    private String text(final JsonNode body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(final String file) {
        try (InputStream in = DashboardApi.class.getResourceAsStream(ASSETS + file)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + file + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's " + file, e);
        }
    }

    private static String abbreviate(final String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        subscribers.forEach(s -> s.client.close());
        subscribers.clear();
    }
}
