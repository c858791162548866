package io.stemflow.cli;

/** A failure the user can act on: its message is printed without a stack trace, with its exit code. */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Exit codes beyond picocli's 0 (ok), 1 (failure) and 2 (usage). */
    static final int INVALID_INPUT = 3;
    static final int NOT_FOUND = 4;
    static final int NOT_CONFIGURED = 5;

    private final int exitCode;

    CliException(final int exitCode, final String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
