package io.stemflow.bridge.kafka;

/**
 * A result record was not acknowledged. Its message names the topic and the requestId and says
 * why; it never holds the record's content.
 */
public final class PublishException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Whether trying again later can help. */
    public enum Kind {
        /**
         * Kafka (or the schema registry) did not acknowledge in time or failed transiently: the
         * caller answers 503 and the provider retries. The record may still land later.
         */
        UNAVAILABLE,
        /** Kafka refused the record for good (too large, not authorised, not serialisable). */
        REJECTED
    }

    private final Kind kind;

    public PublishException(final Kind kind, final String message, final Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
