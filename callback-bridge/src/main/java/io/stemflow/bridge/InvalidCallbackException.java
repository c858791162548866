package io.stemflow.bridge;

/**
 * A callback body that cannot become a result. The message says what is wrong, in terms of the
 * body's JSON paths, and is meant for the sender: it never holds anything but the body's own content.
 */
public final class InvalidCallbackException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Outcome outcome;

    private InvalidCallbackException(final Outcome outcome, final String message) {
        super(message, null, false, false);
        this.outcome = outcome;
    }

    /** The body is not JSON (or has duplicate keys, or trailing content). */
    public static InvalidCallbackException malformed(final String message) {
        return new InvalidCallbackException(Outcome.MALFORMED_JSON, message);
    }

    /** The body is JSON but not a callback: a wrong type or a missing required field. */
    public static InvalidCallbackException invalid(final String message) {
        return new InvalidCallbackException(Outcome.INVALID_PAYLOAD, message);
    }

    /** {@link Outcome#MALFORMED_JSON} or {@link Outcome#INVALID_PAYLOAD}. */
    public Outcome outcome() {
        return outcome;
    }
}
