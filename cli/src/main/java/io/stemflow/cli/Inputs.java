package io.stemflow.cli;

import io.stemflow.schemas.AccountIds;
import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.FieldLimits;

/**
 * Checks of what a person typed, made before anything connects or is sent. Each failure is invalid input
 * (exit 3) with a message that names the option and shows the value (clipped, control characters escaped).
 * The rules are the contract's ({@link FieldLimits}, {@link AccountIds}): the topology would dead-letter a
 * record that breaks them, so the CLI refuses it first.
 */
final class Inputs {

    private Inputs() {
    }

    /** An id: 1 to {@value FieldLimits#MAX_ID_LENGTH} characters, not blank, no control character. */
    static String id(final String option, final String value) {
        if (!FieldLimits.isValidId(value)) {
            throw invalid(option, value, "1 to " + FieldLimits.MAX_ID_LENGTH
                    + " characters, not blank, without control characters");
        }
        return value;
    }

    /** An account id: {@value AccountIds#RULE}. */
    static String account(final String option, final String value) {
        if (!AccountIds.isValid(value)) {
            throw invalid(option, value, AccountIds.RULE);
        }
        return value;
    }

    /** Free text (a reason): absent, or at most {@value FieldLimits#MAX_TEXT_LENGTH} characters without control characters. */
    static String text(final String option, final String value) {
        if (value != null && (value.length() > FieldLimits.MAX_TEXT_LENGTH
                || value.chars().anyMatch(Character::isISOControl))) {
            throw invalid(option, value, "at most " + FieldLimits.MAX_TEXT_LENGTH + " characters without control characters");
        }
        return value == null || value.isBlank() ? null : value;
    }

    /** Who asks, for an audit trail: {@code --by}, else the OS user name; an id either way. */
    static String author(final String by) {
        return by == null ? id("--by (default: the OS user name)", System.getProperty("user.name")) : id("--by", by);
    }

    /** A whole number from {@code min} to {@code max}. */
    static int between(final String option, final int value, final int min, final int max) {
        if (value < min || value > max) {
            throw new CliException(CliException.INVALID_INPUT, option + " must be " + min + " to " + max + ", was " + value);
        }
        return value;
    }

    private static CliException invalid(final String option, final String value, final String rule) {
        return new CliException(CliException.INVALID_INPUT, option + " must be " + rule + ", was "
                + (value == null ? "nothing" : "'" + CallerText.clip(value) + "'"));
    }
}
