package io.stemflow.emulator.callback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.emulator.counter.CounterSet;
import io.stemflow.emulator.task.CallbackPlan;
import io.stemflow.emulator.task.EmulatedTask;
import io.stemflow.emulator.task.TaskJson;
import io.stemflow.emulator.time.EmulatorTime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a completed task's callback as the provider does: POST the JSON body to {@code callBackUrl}
 * (JDK HttpClient, one timeout per attempt); a non-2xx answer, a timeout or a connection error is a failed
 * attempt, retried after each delay of the (scaled) retry schedule in turn (provider: 1, 5, 15 minutes), then
 * given up. The task's {@link CallbackPlan} adds the faults: lost (never sent), late (first attempt delayed)
 * and duplicate (a second delivery after the first successful one; a duplicate is never retried).
 *
 * <p>Sends are asynchronous: the scheduler thread only starts them, and retries are scheduled from the
 * completion, so the scheduler never blocks on a slow receiver.
 */
public final class CallbackDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackDispatcher.class);

    private final EmulatorTime time;
    private final CounterSet counters;
    private final TaskJson json;
    private final ObjectMapper mapper;
    private final List<Duration> retrySchedule;
    private final Duration timeout;
    private final Duration duplicateDelay;
    private final Optional<WebhookSigner> signer;
    private final ExecutorService executor;
    private final HttpClient client;
    private volatile boolean closed;

    /**
     * @param retrySchedule delays after the 1st, 2nd, ... failed attempt, already scaled
     */
    public CallbackDispatcher(final EmulatorTime time, final CounterSet counters, final TaskJson json,
                              final ObjectMapper mapper, final List<Duration> retrySchedule, final Duration timeout,
                              final Duration duplicateDelay, final Optional<WebhookSigner> signer) {
        this.time = time;
        this.counters = counters;
        this.json = json;
        this.mapper = mapper;
        this.retrySchedule = List.copyOf(retrySchedule);
        this.timeout = timeout;
        this.duplicateDelay = duplicateDelay;
        this.signer = signer;
        final AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            final Thread t = new Thread(r, "emulator-callback-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /** Called once when {@code task} completes: counts the outcome and starts delivery per its plan. */
    public void taskCompleted(final EmulatedTask task) {
        counters.taskCompleted(task.succeeded());
        final CallbackPlan plan = task.plan().callback();
        if (plan.lost()) {
            counters.callbackLost();
            LOG.debug("callback of task {} is lost on purpose (lost-callback fault)", task.id());
            return;
        }
        final byte[] body;
        try {
            body = mapper.writeValueAsBytes(json.callback(task));
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot render the callback of task " + task.id(), e);
        }
        if (plan.lateBy().isZero()) {
            attempt(task, body, false);
        } else {
            counters.callbackLate();
            time.schedule(plan.lateBy(), () -> attempt(task, body, false));
        }
    }

    private void attempt(final EmulatedTask task, final byte[] body, final boolean duplicate) {
        if (closed) {
            return;
        }
        counters.callbackAttempted();
        if (duplicate) {
            counters.callbackDuplicated();
        }
        final HttpRequest request;
        try {
            request = request(task, body);
        } catch (final IllegalArgumentException e) {
            onResult(task, body, duplicate, -1, e);
            return;
        }
        try {
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) ->
                            onResult(task, body, duplicate, response == null ? -1 : response.statusCode(), error));
        } catch (final RuntimeException e) {
            onResult(task, body, duplicate, -1, e);
        }
    }

    private HttpRequest request(final EmulatedTask task, final byte[] body) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(task.request().callbackUrl()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signer.ifPresent(s -> {
            final long timestamp = time.now().getEpochSecond();
            builder.header(WebhookSigner.TIMESTAMP_HEADER, Long.toString(timestamp));
            builder.header(WebhookSigner.SIGNATURE_HEADER, s.sign(task.id(), timestamp));
        });
        return builder.build();
    }

    private void onResult(final EmulatedTask task, final byte[] body, final boolean duplicate, final int status,
                          final Throwable error) {
        try {
            if (error == null && status >= 200 && status < 300) {
                counters.callbackDelivered();
                if (!duplicate) {
                    task.markDelivered();
                    if (task.plan().callback().duplicate()) {
                        time.schedule(duplicateDelay, () -> attempt(task, body, true));
                    }
                }
                return;
            }
            counters.callbackAttemptFailed();
            if (closed || duplicate) {
                return;
            }
            final int failures = task.deliveryFailed();
            if (failures <= retrySchedule.size()) {
                final Duration delay = retrySchedule.get(failures - 1);
                LOG.debug("callback of task {} failed (attempt {}, status {}, {}); retry in {}", task.id(), failures,
                        status, error == null ? "no error" : error.getClass().getSimpleName(), delay);
                time.schedule(delay, () -> attempt(task, body, false));
            } else {
                task.markGivenUp();
                counters.callbackGivenUp();
                LOG.info("callback of task {} given up after {} failed attempts", task.id(), failures);
            }
        } catch (final RuntimeException e) {
            LOG.error("handling the callback result of task {} failed", task.id(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("callback executor did not stop within 5 s");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
