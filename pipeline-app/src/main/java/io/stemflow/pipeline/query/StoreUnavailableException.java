package io.stemflow.pipeline.query;

/**
 * A store cannot be read right now (the application is starting, rebalancing or stopped, or the
 * instance holding a key does not answer). Answered as 503 with {@code Retry-After}: asking again
 * later can succeed.
 */
final class StoreUnavailableException extends RuntimeException {

    StoreUnavailableException(final String message) {
        super(message);
    }

    StoreUnavailableException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
