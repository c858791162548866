package io.stemflow.schemas;

import io.stemflow.avro.Priority;
import java.util.List;

/** Names of stemflow's topics: kebab-case nouns, never renamed (consumers and changelogs depend on them). */
public final class TopicNames {

    /** {@code SeparationRequest}, key requestId: what callers want separated. */
    public static final String REQUESTS = "separation-requests";
    /**
     * {@code SeparationRequest}, key requestId: big BULK runs (manifests). A Kafka partition is read in order,
     * so requests produced behind a million others wait for them; runs of that size come here, and every
     * request of this topic is scheduled as BULK, so they never hold up {@link #REQUESTS}.
     */
    public static final String REQUESTS_BULK = "separation-requests-bulk";
    /** {@code AdmittedJob}, key requestId: jobs with credits reserved, for the submitter. */
    public static final String ADMITTED = "separation-admitted";
    /** {@code SubmissionOutcome}, key requestId: what the provider answered to each submission. */
    public static final String SUBMISSIONS = "separation-submissions";
    /** {@code SeparationResult}, key requestId: callbacks and polled results. */
    public static final String RESULTS = "separation-results";
    /** {@code StemReady}, key requestId: one event per stem of a completed job. */
    public static final String STEMS = "separation-stems";
    /** {@code StemArchived}, key requestId: one event per stem copied to the archive (the archiver's output). */
    public static final String ARCHIVED = "separation-archived";
    /**
     * {@code LinkRefreshRequest}, key requestId: the archiver asks the gateway for fresh links to stems whose links
     * expired before they were copied.
     */
    public static final String LINK_REFRESH = "separation-link-refresh";
    /** {@code StemLinks}, key requestId: the gateway's answer to each link refresh (record-info, rate-limited). */
    public static final String LINKS = "separation-links";
    /** {@code BatchManifest}, key batchId: a batch's archive manifest was written (the archiver's output). */
    public static final String MANIFESTS = "separation-manifests";
    /** {@code JobStatus}, key requestId: every state change of a job. */
    public static final String STATUS = "separation-status";
    /** {@code ReconcileRequest}, key requestId: late jobs for the reconciler to poll. */
    public static final String RECONCILE = "separation-reconcile";
    /** {@code DeadLetter}, key requestId or the original key: failures with their reason. */
    public static final String DLQ = "separation-dlq";
    /** {@code CreditGrant}, key accountId: top-ups of an account's budget. */
    public static final String CREDIT_GRANTS = "credit-grants";
    /** {@code LedgerEntry}, key accountId: the journal of every credit movement. */
    public static final String CREDIT_LEDGER = "credit-ledger";
    /** {@code CreditBalance}, key accountId: each account's balance (compacted). */
    public static final String CREDIT_BALANCES = "credit-balances";
    /** {@code ControlCommand}, key batchId or accountId: pause, resume, cancel (kept forever: the audit trail). */
    public static final String CONTROL = "separation-control";
    /** {@code AccountShare}, key accountId: each account's weight and cap (compacted). */
    public static final String ACCOUNT_SHARES = "account-shares";

    /**
     * Internal to the topology, JSON values: credit commands from the job side to the account
     * side, key accountId. Not for other teams to read.
     */
    public static final String CREDIT_COMMANDS = "credit-commands";
    /** Internal to the topology, JSON values: admission decisions back to the job side, key requestId. */
    public static final String JOB_DECISIONS = "job-decisions";
    /**
     * Internal to the topology, JSON values: everything the scheduler hears (jobs to queue, slots freed,
     * control commands, shares). ONE partition: the scheduler sees every waiting job, so priorities and
     * shares hold over the whole queue.
     */
    public static final String JOB_QUEUE = "job-queue";
    /** Internal to the topology, JSON values: the scheduler's decisions back to the job side, key requestId. */
    public static final String JOB_SCHEDULE = "job-schedule";
    /**
     * The NORMAL and BULK lanes of {@link #CREDIT_COMMANDS} and {@link #JOB_QUEUE} ({@link #lane}): a topic is
     * read in order, so each class of new work has a topic of its own and never waits behind another's
     * backlog; the base topic carries INTERACTIVE work and everything about jobs already under way.
     */
    public static final String CREDIT_COMMANDS_NORMAL = "credit-commands-normal";
    public static final String CREDIT_COMMANDS_BULK = "credit-commands-bulk";
    public static final String JOB_QUEUE_NORMAL = "job-queue-normal";
    public static final String JOB_QUEUE_BULK = "job-queue-bulk";

    /** Every Avro topic of stemflow (the pipeline's, and the archiver's {@link #ARCHIVED}, {@link #LINK_REFRESH}, {@link #LINKS}, {@link #MANIFESTS}), in flow order. */
    public static final List<String> ALL = List.of(REQUESTS, REQUESTS_BULK, ADMITTED, SUBMISSIONS, RESULTS, STEMS,
            ARCHIVED, LINK_REFRESH, LINKS, MANIFESTS, STATUS, RECONCILE, DLQ, CREDIT_GRANTS, CREDIT_LEDGER,
            CREDIT_BALANCES, CONTROL, ACCOUNT_SHARES);

    /** Topics the topology keeps for itself (created with the others; the same partition count but {@link #JOB_QUEUE}'s one). */
    public static final List<String> INTERNAL = List.of(CREDIT_COMMANDS, CREDIT_COMMANDS_NORMAL, CREDIT_COMMANDS_BULK,
            JOB_DECISIONS, JOB_QUEUE, JOB_QUEUE_NORMAL, JOB_QUEUE_BULK, JOB_SCHEDULE);

    /** The lane of {@code topic} ({@link #CREDIT_COMMANDS} or {@link #JOB_QUEUE}) for work of class {@code priority}. */
    public static String lane(final String topic, final Priority priority) {
        return switch (priority) {
            case NORMAL -> topic + "-normal";
            case BULK -> topic + "-bulk";
            default -> topic;
        };
    }

    /** Whether {@code topic} is one of the scheduler's inputs, which have one partition. */
    public static boolean schedulerInput(final String topic) {
        return topic.equals(JOB_QUEUE) || topic.equals(JOB_QUEUE_NORMAL) || topic.equals(JOB_QUEUE_BULK);
    }

    private TopicNames() {
    }
}
