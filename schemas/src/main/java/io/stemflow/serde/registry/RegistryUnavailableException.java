package io.stemflow.serde.registry;

import java.util.List;

/**
 * No registry URL gave a usable answer: every one refused the connection, timed out or answered
 * 5xx. The message lists each URL tried (credentials stripped) with what went wrong. Retrying
 * later may help; the record being (de)serialised is not at fault.
 */
public final class RegistryUnavailableException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> urlsTried;

    public RegistryUnavailableException(
            String message, List<String> urlsTried, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
        this.urlsTried = List.copyOf(urlsTried);
    }

    /** The registry URLs tried, in order, without credentials. */
    public List<String> urlsTried() {
        return urlsTried;
    }
}
