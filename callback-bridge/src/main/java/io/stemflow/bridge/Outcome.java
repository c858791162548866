package io.stemflow.bridge;

/**
 * What became of one request to the bridge: its HTTP status, the {@code error} code of its JSON
 * body, and the {@code outcome} label of {@code stemflow_bridge_callbacks_total}.
 */
public enum Outcome {
    /** In Kafka, acknowledged by the broker: 200. */
    ACCEPTED(200, "accepted"),
    /** A signed callback this instance has already stored, sent again with the same body: 200, nothing produced. */
    REPLAYED(200, "accepted"),
    /** Missing or wrong callback token: 401. */
    BAD_TOKEN(401, "unauthorized"),
    /** Missing, malformed or wrong webhook signature: 401. */
    BAD_SIGNATURE(401, "unauthorized"),
    /** Webhook timestamp too far from now: 401. */
    STALE_SIGNATURE(401, "unauthorized"),
    /** A signature already used with another body or for another requestId: 401. */
    REPLAY_CONFLICT(401, "unauthorized"),
    /** The request (headers and body) was not received within the read deadline: 408, connection closed. */
    REQUEST_TIMEOUT(408, "request_timeout"),
    /** This client (remote address) has the most callbacks in progress it may have: 429 with {@code Retry-After}. */
    TOO_MANY_REQUESTS(429, "too_many_requests"),
    MALFORMED_JSON(400, "malformed_json"),
    /** Valid JSON that is not a callback: wrong types, missing {@code data.task_id}. */
    INVALID_PAYLOAD(400, "invalid_payload"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    /** Kafka did not acknowledge within the bound: 503 with {@code Retry-After}. */
    KAFKA_UNAVAILABLE(503, "kafka_unavailable"),
    /** The bridge is stopping: 503 with {@code Retry-After}. */
    SHUTTING_DOWN(503, "shutting_down"),
    /** The replay cache is full of signatures not yet expired: 503 with {@code Retry-After}. */
    REPLAY_CACHE_FULL(503, "replay_cache_full"),
    /** Kafka refused the record for good (not a transient failure): 500. */
    PUBLISH_FAILED(500, "publish_failed"),
    INTERNAL_ERROR(500, "internal_error");

    private final int status;
    private final String errorCode;

    Outcome(final int status, final String errorCode) {
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    /** The {@code error} field of the JSON error body; the auth outcomes share one, to tell an attacker nothing. */
    public String errorCode() {
        return errorCode;
    }

    /** The metric label: lower-case name, distinct for every outcome. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A 503 or 429: the caller should retry after {@code Retry-After}. */
    public boolean retryable() {
        return status == 503 || status == 429;
    }
}
