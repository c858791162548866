package io.stemflow.gateway;

import io.stemflow.gateway.provider.ProviderReply;

/**
 * What a provider answer means for the gateway (docs/provider-contract/README.md). Mind that 429 means OUT OF
 * CREDITS for this provider, while 430 and 405 mean too many requests.
 */
enum ReplyKind {
    /** 200: done. */
    OK,
    /** 400, 413 and other 4xx: this job can never succeed; reject it at once with the provider's message. */
    REJECTED,
    /** 401, 403, 404: the gateway's configuration is wrong, every call would fail; stop and keep the jobs. */
    CONFIG,
    /** 430, 405: too many requests; drain the limiter, back off gateway-wide, retry the job. */
    THROTTLED,
    /** 429: out of credits; stop submitting until the balance covers the next job. */
    NO_CREDITS,
    /** 455: maintenance; open the circuit, probe later. */
    MAINTENANCE,
    /** 500, other 5xx, timeouts, connection errors, garbled answers: bounded retries with backoff. */
    TRANSIENT;

    static ReplyKind of(final ProviderReply<?> reply) {
        if (reply instanceof ProviderReply.Ok<?>) {
            return OK;
        }
        if (reply instanceof ProviderReply.Unreachable<?>) {
            return TRANSIENT;
        }
        final int code = reply.code();
        return switch (code) {
            case 401, 403, 404 -> CONFIG;
            case 405, 430 -> THROTTLED;
            case 429 -> NO_CREDITS;
            case 455 -> MAINTENANCE;
            default -> code >= 400 && code < 500 ? REJECTED : TRANSIENT;
        };
    }
}
