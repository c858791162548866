package io.stemflow.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Checks a candidate schema against earlier versions with Avro's own reader/writer rules
 * ({@link SchemaCompatibility#checkReaderWriterCompatibility}).
 *
 * <p>Stateless and thread-safe.
 */
public final class CompatibilityChecker {

    /** An earlier version of a subject, as the checker needs it. */
    public record Earlier(int version, Schema schema) {
        public Earlier {
            Objects.requireNonNull(schema, "schema");
        }
    }

    /** The outcome: compatible when {@code messages} is empty. */
    public record Result(List<String> messages) {
        public Result {
            messages = List.copyOf(messages);
        }

        public boolean compatible() {
            return messages.isEmpty();
        }
    }

    /**
     * Checks {@code candidate} against {@code history} (oldest first) as {@code level} says: the latest
     * entry only for non-transitive levels, all of them for transitive ones, nothing for {@code NONE}.
     */
    public Result check(final CompatibilityLevel level, final Schema candidate, final List<Earlier> history) {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(candidate, "candidate");
        if (level == CompatibilityLevel.NONE || history.isEmpty()) {
            return new Result(List.of());
        }
        final List<Earlier> checked = level.transitive() ? history : List.of(history.get(history.size() - 1));
        final List<String> messages = new ArrayList<>();
        for (final Earlier earlier : checked) {
            if (level.backward()) {
                messages.addAll(describe(candidate, earlier.schema(), "new schema cannot read data written with version "
                        + earlier.version()));
            }
            if (level.forward()) {
                messages.addAll(describe(earlier.schema(), candidate, "version " + earlier.version()
                        + " cannot read data written with the new schema"));
            }
        }
        return new Result(messages);
    }

    private static List<String> describe(final Schema reader, final Schema writer, final String direction) {
        final SchemaCompatibility.SchemaPairCompatibility pair =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        final List<String> messages = new ArrayList<>();
        for (final Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            messages.add("{errorType:'" + incompatibility.getType() + "', description:'" + direction + ": "
                    + incompatibility.getMessage() + "', location:'" + incompatibility.getLocation() + "'}");
        }
        if (messages.isEmpty()) {
            messages.add("{errorType:'INCOMPATIBLE', description:'" + direction + "'}");
        }
        return messages;
    }
}
