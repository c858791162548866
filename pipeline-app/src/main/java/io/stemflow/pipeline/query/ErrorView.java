package io.stemflow.pipeline.query;

/**
 * The body of every error answer.
 *
 * @param error   a stable code: {@code not_found}, {@code bad_request}, {@code unavailable}, {@code internal}
 * @param message what went wrong, naming the resource
 */
public record ErrorView(String error, String message) {

    public static final String NOT_FOUND = "not_found";
    public static final String BAD_REQUEST = "bad_request";
    public static final String UNAVAILABLE = "unavailable";
    public static final String INTERNAL = "internal";
}
