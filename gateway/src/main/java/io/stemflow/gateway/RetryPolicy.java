package io.stemflow.gateway;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.stemflow.gateway.provider.ProviderReply;
import java.util.concurrent.TimeUnit;

/**
 * The Resilience4j {@link Retry} for 500s, timeouts and connection errors: at most {@code maxAttempts} calls per
 * job, exponential backoff with jitter between them. The loop is not blocking, so each job holds a
 * {@link Retry.AsyncContext} that answers "retry after n ms" or "give up" (-1) for each failed reply.
 */
final class RetryPolicy {

    private RetryPolicy() {
    }

    static Retry create(final String name, final GatewayConfig.RetrySettings settings) {
        final RetryConfig config = RetryConfig.<ProviderReply<?>>custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(),
                        settings.multiplier(), settings.jitter(), settings.maxBackoff()))
                .retryOnResult(reply -> ReplyKind.of(reply) == ReplyKind.TRANSIENT)
                .failAfterMaxAttempts(false)
                .build();
        return Retry.of(name, config);
    }

    /**
     * Feeds a transient failure into the job's retry context.
     *
     * @return nanos to wait before the next call, or -1 when the job's attempts are used up
     */
    static long onTransient(final Job<?> job, final Retry retry, final ProviderReply<?> reply) {
        if (job.retry == null) {
            job.retry = retry.asyncContext();
        }
        final long millis = job.retry.onResult(reply);
        return millis < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Tells the retry context (if any) the job ended well, for Resilience4j's metrics. */
    static void succeeded(final Job<?> job) {
        if (job.retry != null) {
            job.retry.onComplete();
        }
    }
}
