package io.stemflow.localstack;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import io.stemflow.schemas.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on a secured stemflow cluster: the one ACL table, applied by the secure local stack
 * ({@link SecureKafka}) and printed in docs/ARCHITECTURE.md ({@link #markdown()}, checked by a test).
 *
 * <p>Each service has its own principal and only what its clients do: the topics it reads and writes (from the
 * topic catalogue and each service's clients), its consumer groups and transactional ids by prefix (the application
 * id's), and for the pipeline the internal topics Kafka Streams and {@code InternalTopics} make under its
 * application id. So only the bridge and the gateway write {@code separation-results}, only the pipeline writes
 * {@code credit-ledger}, only the operator writes {@code credit-grants}, only the archiver writes {@code
 * separation-archived}, {@code separation-manifests} and the link refreshes it asks of the gateway ({@code
 * separation-link-refresh}), and only the gateway, which holds the one rate limit on the provider, answers them
 * ({@code separation-links}). The administrator and the broker itself are super users and need no rows. READ and
 * WRITE imply DESCRIBE; WRITE on a topic lets an idempotent producer start.
 */
public final class KafkaAccess {

    /** The SCRAM principals of a secured stack, one per service and one for people at the command line. */
    public enum Principal {
        /** The topology (Kafka Streams, exactly once) and its query API. */
        PIPELINE,
        /** The provider gateway: submitter and reconciler. */
        GATEWAY,
        /** The callback bridge. */
        BRIDGE,
        /**
         * The stem archiver (issue 18): copies each stem of {@code separation-stems} to the archive, asks the gateway
         * for fresh links, and writes each batch's manifest.
         */
        ARCHIVER,
        /** The embedded schema registry's Kafka store. */
        REGISTRY,
        /** People and scripts: {@code stemflow submit}, {@code credits grant}, {@code batch}/{@code account} control, replay, the demo. */
        OPERATOR;

        /** The SCRAM user name, e.g. {@code stemflow-bridge}. */
        public String user() {
            return "stemflow-" + name().toLowerCase(Locale.ROOT);
        }
    }

    /** One row: a principal may do {@code operations} on the resources a pattern names. */
    public record Grant(Principal principal, ResourceType type, PatternType pattern, String name,
                        List<AclOperation> operations) {

        List<AclBinding> bindings() {
            final ResourcePattern resource = new ResourcePattern(type, name, pattern);
            return operations.stream().map(op -> new AclBinding(resource, new AccessControlEntry(
                    "User:" + principal.user(), "*", op, AclPermissionType.ALLOW))).toList();
        }
    }

    /** Application id of the pipeline: its consumer group, transactional ids and internal topics' prefix. */
    public static final String PIPELINE_APPLICATION_ID = LocalStack.APPLICATION_ID;
    /** Application id of the gateway: prefix of its groups ({@code -submitter}, {@code -reconciler}) and transactional ids. */
    public static final String GATEWAY_APPLICATION_ID = "stemflow-gateway";
    /**
     * Application id of the archiver: prefix of its consumer groups (the worker's {@code -worker}, the announcer's
     * Kafka Streams group), transactional ids and own topics (the worker's {@code -outcomes}, the announcer's
     * changelog).
     */
    public static final String ARCHIVER_APPLICATION_ID = "stemflow-archiver";
    /** The registry's topic and its writer's transactional id ({@code KafkaStoreConfig#transactionalId}). */
    public static final String REGISTRY_TOPIC = "_schemas";
    public static final String REGISTRY_TRANSACTIONAL_ID = "stemflow-schema-registry-" + REGISTRY_TOPIC;

    private static final List<Grant> TABLE = table();

    private KafkaAccess() {
    }

    /** Every row. */
    public static List<Grant> grants() {
        return TABLE;
    }

    /** Every ACL binding of the table. */
    public static List<AclBinding> bindings() {
        return TABLE.stream().flatMap(g -> g.bindings().stream()).toList();
    }

    /** The principals that may do {@code operation} on the literal topic {@code topic}. */
    public static Set<Principal> principalsThat(final AclOperation operation, final String topic) {
        return TABLE.stream().filter(g -> g.type() == TOPIC && g.operations().contains(operation))
                .filter(g -> g.pattern() == LITERAL ? g.name().equals(topic) : topic.startsWith(g.name()))
                .map(Grant::principal).collect(Collectors.toCollection(() -> java.util.EnumSet.noneOf(Principal.class)));
    }

    /** The table as Markdown, as docs/ARCHITECTURE.md prints it. */
    public static String markdown() {
        final StringBuilder out = new StringBuilder("| principal | resource | pattern | name | operations |\n"
                + "|---|---|---|---|---|\n");
        for (final Grant g : TABLE) {
            out.append("| `").append(g.principal().user()).append("` | ").append(g.type().name().toLowerCase(Locale.ROOT))
                    .append(" | ").append(g.pattern().name().toLowerCase(Locale.ROOT)).append(" | `").append(g.name())
                    .append("` | ").append(g.operations().stream().map(Enum::name).collect(Collectors.joining(", ")))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static List<Grant> table() {
        final List<Grant> t = new ArrayList<>();
        // pipeline: the topology's inputs and outputs, its own topics, and what Streams makes under its id
        topics(t, Principal.PIPELINE, List.of(READ), TopicNames.REQUESTS_BULK,
                TopicNames.SUBMISSIONS, TopicNames.RESULTS, TopicNames.CREDIT_GRANTS, TopicNames.ACCOUNT_SHARES);
        topics(t, Principal.PIPELINE, List.of(WRITE), TopicNames.ADMITTED, TopicNames.RECONCILE,
                TopicNames.CREDIT_BALANCES);
        // the dashboard's feed reads back the stems, dead letters and ledger it wrote and the archiver's
        // announcements (assigned, no group); its pause, resume and cancel buttons write control commands, its
        // "replay failed" button replays dead-lettered jobs as new attempts of their requests
        topics(t, Principal.PIPELINE, List.of(READ, WRITE), TopicNames.STEMS, TopicNames.DLQ,
                TopicNames.CREDIT_LEDGER, TopicNames.CONTROL, TopicNames.REQUESTS);
        topics(t, Principal.PIPELINE, List.of(READ), TopicNames.ARCHIVED);
        // its own status events are read back into the batch counts of the query API
        topics(t, Principal.PIPELINE, List.of(READ, WRITE), TopicNames.STATUS);
        topics(t, Principal.PIPELINE, List.of(READ, WRITE), TopicNames.INTERNAL.toArray(String[]::new));
        t.add(new Grant(Principal.PIPELINE, TOPIC, PREFIXED, PIPELINE_APPLICATION_ID + "-",
                List.of(CREATE, READ, WRITE, DESCRIBE_CONFIGS, DELETE)));
        t.add(new Grant(Principal.PIPELINE, GROUP, PREFIXED, PIPELINE_APPLICATION_ID, List.of(READ)));
        t.add(new Grant(Principal.PIPELINE, TRANSACTIONAL_ID, PREFIXED, PIPELINE_APPLICATION_ID, List.of(WRITE)));
        // gateway: admitted jobs, late jobs and the archiver's link refreshes in (the reconciler reads both of the
        // latter); outcomes, polled results, fresh links and its dead letters out, transactionally
        topics(t, Principal.GATEWAY, List.of(READ), TopicNames.ADMITTED, TopicNames.RECONCILE,
                TopicNames.LINK_REFRESH);
        topics(t, Principal.GATEWAY, List.of(WRITE), TopicNames.SUBMISSIONS, TopicNames.RESULTS, TopicNames.LINKS,
                TopicNames.DLQ);
        t.add(new Grant(Principal.GATEWAY, GROUP, PREFIXED, GATEWAY_APPLICATION_ID + "-", List.of(READ)));
        t.add(new Grant(Principal.GATEWAY, TRANSACTIONAL_ID, PREFIXED, GATEWAY_APPLICATION_ID + "-", List.of(WRITE)));
        // bridge: callbacks' results out (its readiness probe describes the topic: implied)
        topics(t, Principal.BRIDGE, List.of(WRITE), TopicNames.RESULTS);
        // archiver: stems, the gateway's fresh links and job statuses (when a batch's jobs have ended) in; one
        // StemArchived per stem, or its ARCHIVE_FAILED dead letter, link refreshes and batch manifests out,
        // transactionally; its own topics (the worker's outcomes, the announcer's changelogs and repartition topics,
        // which Kafka Streams purges as it goes: DELETE) made under its id
        topics(t, Principal.ARCHIVER, List.of(READ), TopicNames.STEMS, TopicNames.LINKS, TopicNames.STATUS);
        topics(t, Principal.ARCHIVER, List.of(WRITE), TopicNames.ARCHIVED, TopicNames.LINK_REFRESH,
                TopicNames.MANIFESTS, TopicNames.DLQ);
        t.add(new Grant(Principal.ARCHIVER, TOPIC, PREFIXED, ARCHIVER_APPLICATION_ID + "-",
                List.of(CREATE, READ, WRITE, DESCRIBE_CONFIGS, DELETE)));
        t.add(new Grant(Principal.ARCHIVER, GROUP, PREFIXED, ARCHIVER_APPLICATION_ID, List.of(READ)));
        t.add(new Grant(Principal.ARCHIVER, TRANSACTIONAL_ID, PREFIXED, ARCHIVER_APPLICATION_ID, List.of(WRITE)));
        // registry: its compacted log, created if missing, written by one transactional writer
        topics(t, Principal.REGISTRY, List.of(CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS), REGISTRY_TOPIC);
        t.add(new Grant(Principal.REGISTRY, TRANSACTIONAL_ID, LITERAL, REGISTRY_TRANSACTIONAL_ID, List.of(WRITE)));
        // operator: what the CLI and the demo send (requests, grants, control, shares) and read (no groups: assigned)
        topics(t, Principal.OPERATOR, List.of(WRITE), TopicNames.REQUESTS, TopicNames.REQUESTS_BULK,
                TopicNames.CREDIT_GRANTS, TopicNames.CONTROL, TopicNames.ACCOUNT_SHARES);
        topics(t, Principal.OPERATOR, List.of(READ), TopicNames.STATUS, TopicNames.STEMS, TopicNames.ARCHIVED,
                TopicNames.MANIFESTS, TopicNames.CREDIT_LEDGER, TopicNames.CREDIT_BALANCES, TopicNames.DLQ,
                TopicNames.ACCOUNT_SHARES);
        return List.copyOf(t);
    }

    private static void topics(final List<Grant> t, final Principal principal, final List<AclOperation> operations,
                               final String... names) {
        for (final String name : names) {
            t.add(new Grant(principal, TOPIC, LITERAL, name, operations));
        }
    }
}
