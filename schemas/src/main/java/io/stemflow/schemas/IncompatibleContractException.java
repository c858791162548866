package io.stemflow.schemas;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The schema registry refused stemflow's schema for one or more subjects: each already holds a schema
 * that the contract's is not compatible with at the subject's level. A service that gets it must not start:
 * it would write records that consumers of the registered schema cannot read, or fail on its first write.
 */
public final class IncompatibleContractException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Subject to the registry's explanation, in flow order. */
    private final transient Map<String, String> refused;

    public IncompatibleContractException(final String registry, final Map<String, String> refused) {
        super("The schema registry " + registry + " refused stemflow's schema for " + refused.size()
                + (refused.size() == 1 ? " subject" : " subjects") + " (a subject already holds a schema that it is not"
                + " compatible with): " + refused.entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue())
                        .collect(Collectors.joining("; ")));
        this.refused = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(refused));
    }

    /** The subjects refused, each with the registry's explanation. */
    public Map<String, String> refused() {
        return refused;
    }
}
