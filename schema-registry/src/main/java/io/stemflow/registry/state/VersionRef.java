package io.stemflow.registry.state;

import io.stemflow.registry.ErrorCode;
import io.stemflow.registry.RegistryException;

/** A version as a request names it: a positive number, or the latest version ({@code latest} or -1). */
public record VersionRef(int number) {

    private static final int LATEST = -1;

    public VersionRef {
        if (number != LATEST && number < 1) {
            throw invalid(Integer.toString(number));
        }
    }

    public static VersionRef latest() {
        return new VersionRef(LATEST);
    }

    /**
     * Parses a path segment.
     *
     * @throws RegistryException 42202 when it is neither a positive int, -1 nor {@code latest}
     */
    public static VersionRef parse(final String text) {
        if ("latest".equalsIgnoreCase(text)) {
            return latest();
        }
        try {
            return new VersionRef(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            throw invalid(text);
        }
    }

    public boolean isLatest() {
        return number == LATEST;
    }

    @Override
    public String toString() {
        return isLatest() ? "latest" : Integer.toString(number);
    }

    private static RegistryException invalid(final String text) {
        return new RegistryException(ErrorCode.INVALID_VERSION, "The specified version '" + text
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }
}
