package io.stemflow.schemas;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.serde.registry.IncompatibleSchemaException;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaNotFoundException;
import io.stemflow.serde.registry.SchemaRegistryClient;
import io.stemflow.serde.registry.SubjectNotFoundException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the contract: under every value subject of the catalogue ({@code <topic>-value}), the schema
 * of its {@code .avsc} ({@link Contract#valueSchemasByTopic}). The local stack and the compose deployment
 * do it before any service starts, so that a team producing with {@code auto.register.schemas=false} or
 * {@code use.latest.version=true} finds every subject from the first request; every stemflow service does
 * it again when it starts, so that an upgrade registers its new versions before it writes anything, and a
 * service whose contract the registry refuses does not start.
 *
 * <p>A subject that already holds the schema is left alone (a lookup, nothing registered); a missing one
 * is registered as the subject's next version, which the registry checks at the subject's compatibility
 * level. Every subject is tried before a refusal is reported, so that one report names them all.
 */
public final class ContractRegistration {

    /**
     * What became of one subject.
     *
     * @param subject the subject
     * @param id the registry-wide id of the contract's schema
     * @param added whether this call registered it (a new version) or found it already there
     */
    public record Outcome(String subject, int id, boolean added) {

        public Outcome {
            Objects.requireNonNull(subject, "subject");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ContractRegistration.class);

    private ContractRegistration() {
    }

    /**
     * What a deployment does before any service starts (the local stack; compose's one-shot {@code schema-config}
     * through {@code stemflow registry configure}): sets {@code level} on every subject, so that the registry
     * checks each new version against all earlier ones, then {@link #ensureRegistered registers} the contract.
     * Needs the registry's admin role.
     */
    public static List<Outcome> configure(final RestSchemaRegistryClient registry, final CompatibilityLevel level) {
        schemasBySubject().keySet().forEach(subject -> registry.setCompatibility(subject, level));
        return ensureRegistered(registry);
    }

    /**
     * What a service does before it starts: {@link #register}, then one log line saying what was found and
     * what was registered.
     */
    public static List<Outcome> ensureRegistered(final SchemaRegistryClient registry) {
        final List<Outcome> outcomes = register(registry);
        final List<String> added = outcomes.stream().filter(Outcome::added).map(Outcome::subject).toList();
        LOG.info("Schema registry {}: all {} subjects hold stemflow's schemas ({})", registry.endpoint(), outcomes.size(),
                added.isEmpty() ? "all already registered" : "registered now: " + String.join(", ", added));
        return outcomes;
    }

    /** The value subject of every topic of the catalogue, in flow order, with the schema registered under it. */
    public static Map<String, Schema> schemasBySubject() {
        final Map<String, Schema> subjects = new LinkedHashMap<>();
        Contract.valueSchemasByTopic().forEach((topic, schema) -> subjects.put(Contract.valueSubject(topic), schema));
        return subjects;
    }

    /**
     * Makes every subject hold the contract's schema.
     *
     * @return one outcome per subject, in flow order
     * @throws IncompatibleContractException when the registry refuses one or more subjects' schema, naming
     *     each with the registry's explanation (the other subjects are registered all the same)
     * @throws io.stemflow.serde.registry.SchemaRegistryException when the registry cannot be reached or
     *     refuses for another reason (e.g. credentials without the right to register)
     */
    public static List<Outcome> register(final SchemaRegistryClient registry) {
        Objects.requireNonNull(registry, "registry");
        final List<Outcome> outcomes = new ArrayList<>();
        final Map<String, String> refused = new LinkedHashMap<>();
        schemasBySubject().forEach((subject, schema) -> {
            try {
                outcomes.add(new Outcome(subject, registry.getId(subject, schema), false));
            } catch (SubjectNotFoundException | SchemaNotFoundException missing) {
                try {
                    outcomes.add(new Outcome(subject, registry.register(subject, schema), true));
                } catch (IncompatibleSchemaException e) {
                    refused.put(subject, e.getMessage());
                }
            }
        });
        if (!refused.isEmpty()) {
            throw new IncompatibleContractException(registry.endpoint(), refused);
        }
        return List.copyOf(outcomes);
    }
}
