package io.stemflow.serde.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility}. */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    /**
     * Why {@code candidate} may not follow {@code existing} (oldest first) at this level; empty when
     * it may. Non-transitive levels look at the latest version only.
     */
    public List<String> incompatibilities(Schema candidate, List<Schema> existing) {
        final List<String> problems = new ArrayList<>();
        if (existing.isEmpty()) {
            return problems;
        }
        final List<Schema> checked = transitive ? existing : List.of(existing.get(existing.size() - 1));
        for (final Schema old : checked) {
            if (newReadsOld) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old).getResult(), problems);
            }
            if (oldReadsNew) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate).getResult(), problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaCompatibilityResult result, List<String> problems) {
        if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (final Incompatibility incompatibility : result.getIncompatibilities()) {
            problems.add(
                    "{errorType:'" + incompatibility.getType() + "', description:'" + incompatibility.getMessage()
                            + "', location:'" + incompatibility.getLocation() + "'}");
        }
    }
}
