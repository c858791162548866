package io.stemflow.registry.compat;

import java.util.Locale;
import java.util.Optional;

/**
 * The compatibility levels of the Confluent Schema Registry API.
 *
 * <p>{@code BACKWARD}: a new schema must read data written with the checked versions;
 * {@code FORWARD}: the checked versions must read data written with the new schema; {@code FULL}: both.
 * The non-transitive forms check the latest version only, the transitive forms every live version.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(final boolean backward, final boolean forward, final boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Whether the new schema, as reader, must read data written with the old one. */
    public boolean backward() {
        return backward;
    }

    /** Whether the old schema, as reader, must read data written with the new one. */
    public boolean forward() {
        return forward;
    }

    /** Whether every live version is checked rather than the latest only. */
    public boolean transitive() {
        return transitive;
    }

    /** Parses a level name, case-insensitively; empty if the text names no level. */
    public static Optional<CompatibilityLevel> parse(final String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
