package io.stemflow.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The compatibility levels of the Confluent Schema Registry API, for the embedded registry and the
 * clients alike.
 *
 * <p>{@code BACKWARD}: a new schema must read data written with the checked versions;
 * {@code FORWARD}: the checked versions must read data written with the new schema; {@code FULL}: both.
 * The non-transitive forms check the latest version only, the transitive forms every live version.
 * {@link CompatibilityChecker} does the checking, with Avro's own reader/writer rules.
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

    /**
     * Why {@code candidate} may not follow {@code existing} (oldest first, numbered from 1) at this level;
     * empty when it may.
     */
    public List<String> incompatibilities(final Schema candidate, final List<Schema> existing) {
        final List<CompatibilityChecker.Earlier> history = new ArrayList<>(existing.size());
        for (int i = 0; i < existing.size(); i++) {
            history.add(new CompatibilityChecker.Earlier(i + 1, existing.get(i)));
        }
        return new CompatibilityChecker().check(this, candidate, history).messages();
    }
}
