package io.stemflow.registry.store;

/**
 * A write or read of the store failed. After a failed {@link SchemaStore#append}, whether the events
 * were stored is unknown: the caller must rebuild its state from the log before writing again.
 */
public final class StoreException extends RuntimeException {

    private final boolean timeout;

    public StoreException(final String message, final boolean timeout, final Throwable cause) {
        super(message, cause);
        this.timeout = timeout;
    }

    /** Whether the failure was a timeout (as opposed to an error of the backend). */
    public boolean timeout() {
        return timeout;
    }
}
