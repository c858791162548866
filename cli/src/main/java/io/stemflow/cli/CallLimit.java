package io.stemflow.cli;

import io.stemflow.schemas.CallerText;
import io.stemflow.service.DurationText;
import java.time.Duration;

/**
 * A number of calls per window, written {@code CALLS/DURATION} ({@code 20/10s}, {@code 30/1m}): the
 * provider's limit ({@code status --provider-limit}) and an account's cap ({@code account share --cap}).
 * The duration has the one duration syntax of every setting ({@link DurationText}).
 */
record CallLimit(int calls, Duration window) {

    /** What the text looks like, for error messages. */
    static final String EXPECTED = "CALLS/DURATION with CALLS a positive whole number and DURATION positive, "
            + "e.g. 20/10s or 30/1m";

    CallLimit {
        if (calls < 1 || window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("a call limit needs calls >= 1 and a positive window: " + calls + "/" + window);
        }
    }

    /** @throws CliException (invalid input) naming {@code option} when {@code text} is not {@link #EXPECTED} */
    static CallLimit parse(final String text, final String option) {
        final String[] parts = text == null ? new String[0] : text.strip().split("/", -1);
        try {
            if (parts.length == 2 && parts[0].strip().matches("\\d{1,9}")) {
                final int calls = Integer.parseInt(parts[0].strip());
                final Duration window = DurationText.parse(parts[1]);
                if (calls > 0 && !window.isZero() && window.toMillis() > 0) {
                    return new CallLimit(calls, window);
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below with the option's name
        }
        throw new CliException(CliException.INVALID_INPUT,
                option + " must be " + EXPECTED + ", was '" + CallerText.clip(text) + "'");
    }

    double perSecond() {
        return calls / (window.toNanos() / 1e9);
    }

    /** {@code 20/10s}: what {@link #parse} reads back. */
    @Override
    public String toString() {
        return calls + "/" + DurationText.format(window);
    }
}
