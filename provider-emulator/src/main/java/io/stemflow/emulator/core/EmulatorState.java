package io.stemflow.emulator.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.LinkExpiry;
import io.stemflow.emulator.audio.StemAudio;
import io.stemflow.emulator.callback.CallbackDispatcher;
import io.stemflow.emulator.callback.WebhookSigner;
import io.stemflow.emulator.counter.CounterSet;
import io.stemflow.emulator.limit.ApiKeys;
import io.stemflow.emulator.limit.CreditLedger;
import io.stemflow.emulator.limit.MaintenanceSchedule;
import io.stemflow.emulator.limit.SlidingWindowLimiter;
import io.stemflow.emulator.task.Seeds;
import io.stemflow.emulator.task.StemLinks;
import io.stemflow.emulator.task.TaskJson;
import io.stemflow.emulator.task.TaskPlanner;
import io.stemflow.emulator.task.TaskRegistry;
import io.stemflow.emulator.time.EmulatorTime;
import java.net.URI;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything one running emulator holds: its config, time, counters, limits, tasks, callback dispatcher and
 * runtime knobs. Shared by the HTTP routes and {@link io.stemflow.emulator.EmulatorControl}; internal.
 */
public final class EmulatorState implements AutoCloseable {

    /** Salt for the request-level decision stream (injected 500s), so it differs from the task streams. */
    private static final long SERVER_ERROR_STREAM = 0x5e55_e22a_11ee_d00dL;

    private final EmulatorConfig config;
    private final EmulatorTime time;
    private final ObjectMapper mapper = new ObjectMapper();
    private final CounterSet counters = new CounterSet();
    private final ApiKeys apiKeys;
    private final SlidingWindowLimiter limiter;
    private final MaintenanceSchedule maintenance;
    private final MaintenanceSchedule bursts;
    private final CreditLedger credits;
    private final TaskRegistry tasks = new TaskRegistry();
    private final TaskJson json;
    private final CallbackDispatcher dispatcher;
    private final TaskService taskService;
    private final StemAudio audio = new StemAudio();
    private final AtomicReference<FaultShares> faults;
    private final AtomicReference<LinkExpiry> linkExpiry;
    private final LinkService links;
    private final AtomicBoolean httpStatusMirrorsCode;
    private final AtomicReference<URI> baseUrl = new AtomicReference<>();
    private final SplittableRandom serverErrorRandom;

    public EmulatorState(final EmulatorConfig config, final EmulatorTime time) {
        this.config = Objects.requireNonNull(config, "config");
        this.time = Objects.requireNonNull(time, "time");
        this.apiKeys = new ApiKeys(config.apiKeys());
        this.limiter = new SlidingWindowLimiter(config.rateLimit(), time::now);
        this.maintenance = new MaintenanceSchedule(config.maintenance(), time::now);
        this.bursts = new MaintenanceSchedule(false, time::now);
        this.credits = new CreditLedger(apiKeys.ids(), config.initialCredits());
        this.faults = new AtomicReference<>(config.faults());
        this.linkExpiry = new AtomicReference<>(config.linkExpiry());
        this.links = new LinkService(tasks, config.fileTtl(), counters);
        this.httpStatusMirrorsCode = new AtomicBoolean(config.httpStatusMirrorsCode());
        config.publicBaseUrl().ifPresent(baseUrl::set);
        this.json = new TaskJson(new StemLinks(this::baseUrl), config.callbackInfoKey(), config.recordInfoTimeFormat());
        this.dispatcher = new CallbackDispatcher(time, counters, json, mapper, config.scaledRetrySchedule(),
                config.callbackTimeout(), config.duplicateDelay(), config.webhookKey().map(WebhookSigner::new));
        this.taskService = new TaskService(tasks,
                new TaskPlanner(config.seed(), config.processingTime(), config.failureCodes(), config.lateDelay()),
                time, dispatcher, counters);
        this.serverErrorRandom = new SplittableRandom(Seeds.mix(config.seed() ^ SERVER_ERROR_STREAM));
    }

    public EmulatorConfig config() {
        return config;
    }

    public EmulatorTime time() {
        return time;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public CounterSet counters() {
        return counters;
    }

    public ApiKeys apiKeys() {
        return apiKeys;
    }

    public SlidingWindowLimiter limiter() {
        return limiter;
    }

    public MaintenanceSchedule maintenance() {
        return maintenance;
    }

    /** Windows of 430 bursts: every call inside one is answered 430, whatever the rate window says. */
    public MaintenanceSchedule bursts() {
        return bursts;
    }

    public CreditLedger credits() {
        return credits;
    }

    public TaskRegistry tasks() {
        return tasks;
    }

    public TaskJson json() {
        return json;
    }

    public TaskService taskService() {
        return taskService;
    }

    public StemAudio audio() {
        return audio;
    }

    public FaultShares faults() {
        return faults.get();
    }

    public void setFaults(final FaultShares shares) {
        faults.set(Objects.requireNonNull(shares, "fault shares"));
    }

    public LinkExpiry linkExpiry() {
        return linkExpiry.get();
    }

    public void setLinkExpiry(final LinkExpiry value) {
        linkExpiry.set(Objects.requireNonNull(value, "link expiry"));
    }

    /** Which file token a task's links carry and when a link expires. */
    public LinkService links() {
        return links;
    }

    public boolean httpStatusMirrorsCode() {
        return httpStatusMirrorsCode.get();
    }

    public void setHttpStatusMirrorsCode(final boolean mirrors) {
        httpStatusMirrorsCode.set(mirrors);
    }

    /** The base URL clients use (and stem links point to); set once the server is bound. */
    public URI baseUrl() {
        final URI url = baseUrl.get();
        if (url == null) {
            throw new IllegalStateException("the emulator's base URL is not known before its server is bound");
        }
        return url;
    }

    public void setBaseUrl(final URI url) {
        baseUrl.compareAndSet(null, url);
    }

    /**
     * Draws whether this API call gets an injected 500. One seeded stream for all calls: same seed and same
     * order of calls, same answers.
     */
    public boolean drawServerError() {
        final double share = faults.get().serverErrors();
        final double draw;
        synchronized (serverErrorRandom) {
            draw = serverErrorRandom.nextDouble();
        }
        return draw < share;
    }

    @Override
    public void close() {
        dispatcher.close();
        time.close();
    }
}
