package io.stemflow.schemas;

import io.stemflow.avro.AccountShare;
import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.SubmissionOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import io.stemflow.serde.JavaProperties;
import org.apache.avro.Schema;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * The wire contract: which Avro schema each topic's values carry. Keys are UTF-8 strings (see
 * {@link Topics}). Subjects follow the topic-name strategy: {@code <topic>-value}.
 */
public final class Contract {

    private static final String GENERATED_PACKAGE = "io.stemflow.avro";
    private static final Map<String, Schema> VALUE_SCHEMAS;

    static {
        final Map<String, Schema> m = new LinkedHashMap<>();
        m.put(TopicNames.REQUESTS, SeparationRequest.getClassSchema());
        m.put(TopicNames.REQUESTS_BULK, SeparationRequest.getClassSchema());
        m.put(TopicNames.ADMITTED, AdmittedJob.getClassSchema());
        m.put(TopicNames.SUBMISSIONS, SubmissionOutcome.getClassSchema());
        m.put(TopicNames.RESULTS, SeparationResult.getClassSchema());
        m.put(TopicNames.STEMS, StemReady.getClassSchema());
        m.put(TopicNames.ARCHIVED, StemArchived.getClassSchema());
        m.put(TopicNames.LINK_REFRESH, LinkRefreshRequest.getClassSchema());
        m.put(TopicNames.LINKS, StemLinks.getClassSchema());
        m.put(TopicNames.MANIFESTS, BatchManifest.getClassSchema());
        m.put(TopicNames.STATUS, JobStatus.getClassSchema());
        m.put(TopicNames.RECONCILE, ReconcileRequest.getClassSchema());
        m.put(TopicNames.DLQ, DeadLetter.getClassSchema());
        m.put(TopicNames.CREDIT_GRANTS, CreditGrant.getClassSchema());
        m.put(TopicNames.CREDIT_LEDGER, LedgerEntry.getClassSchema());
        m.put(TopicNames.CREDIT_BALANCES, CreditBalance.getClassSchema());
        m.put(TopicNames.CONTROL, ControlCommand.getClassSchema());
        m.put(TopicNames.ACCOUNT_SHARES, AccountShare.getClassSchema());
        m.replaceAll((topic, generated) -> JavaProperties.strip(generated));
        VALUE_SCHEMAS = Map.copyOf(m);
    }

    private Contract() {
    }

    /**
     * Lets Avro 1.12 load the contract's generated classes ({@code io.stemflow.avro}) when it deep-copies
     * or reads them reflectively (e.g. {@code SeparationRequest.newBuilder(other)}); by default it trusts
     * only JDK classes and throws {@code SecurityException: Forbidden ...}. Adds our package to whatever
     * the JVM already trusts; idempotent. {@link Topics#create} calls it.
     */
    public static synchronized void trustGeneratedClasses() {
        final ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (current instanceof ContractClasses) {
            return;
        }
        ClassSecurityValidator.setGlobal(new ContractClasses(current));
    }

    /** Trusts {@code io.stemflow.avro} classes, and everything the previous predicate trusted. */
    private record ContractClasses(ClassSecurityValidator.ClassSecurityPredicate previous)
            implements ClassSecurityValidator.ClassSecurityPredicate {

        @Override
        public boolean isTrusted(final Class<?> type) {
            return GENERATED_PACKAGE.equals(type.getPackageName()) || previous.isTrusted(type);
        }
    }

    /**
     * Value schema of every topic, keyed by topic name: the schema registered under its subject, which is
     * the {@code .avsc}'s own schema (the generated class's without the properties only Java reads: {@link
     * JavaProperties}), so that a schema any other tool reads from the {@code .avsc} resolves to its id.
     */
    public static Map<String, Schema> valueSchemasByTopic() {
        final Map<String, Schema> ordered = new LinkedHashMap<>();
        TopicNames.ALL.forEach(t -> ordered.put(t, VALUE_SCHEMAS.get(t)));
        return ordered;
    }

    /** The registry subject of a topic's values under the topic-name strategy. */
    public static String valueSubject(final String topic) {
        return topic + "-value";
    }
}
