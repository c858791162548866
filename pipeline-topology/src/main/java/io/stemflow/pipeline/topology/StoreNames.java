package io.stemflow.pipeline.topology;

/**
 * Names of the topology's state stores and stateful steps. Each store's changelog topic is
 * {@code <application.id>-<store>-changelog}: renaming one loses its state, so these never change
 * (a test checks {@code topology.describe()} against them).
 */
public final class StoreNames {

    /** requestId -> {@link JobRecord}. */
    public static final String JOB_STATES = "job-states";
    /** deadline index: zero-padded epoch millis + requestId -> requestId. */
    public static final String JOB_DEADLINES = "job-deadlines";
    /** accountId -> {@link AccountState}: the credit-balances table. */
    public static final String CREDIT_BALANCES = "credit-balances";
    /** requestId -> {@link Reservation}. */
    public static final String CREDIT_RESERVATIONS = "credit-reservations";
    /** accountId|seq -> held RESERVE command, oldest first. */
    public static final String THROTTLED_JOBS = "throttled-jobs";
    /** grantId -> when it was applied, so a grant counts once. */
    public static final String CREDIT_GRANT_IDS = "credit-grant-ids";
    /**
     * Cancelled batches as the accounts know them (key as queue-controls' batch keys: the batch and one
     * account or every account; value: the cancel's audit text): a job of one that asks for credits later is
     * cancelled at once instead of being reserved or held.
     */
    public static final String CREDIT_CANCELS = "credit-cancels";
    /** batchId -> {@link BatchTally}. */
    public static final String BATCH_COUNTS = "batch-counts";
    /** Repartition of status events by batchId: topic {@code <application.id>-batch-status-repartition}. */
    public static final String BATCH_STATUS_REPARTITION = "batch-status";

    /** Requests re-keyed with Kafka's partitioner: topic {@code <application.id>-requests-by-id-repartition}. */
    public static final String REQUESTS_BY_ID_REPARTITION = "requests-by-id";
    /** Grants re-keyed with Kafka's partitioner: topic {@code <application.id>-grants-by-account-repartition}. */
    public static final String GRANTS_BY_ACCOUNT_REPARTITION = "grants-by-account";
    /**
     * INTERACTIVE and BULK requests, each class on a repartition topic of its own so one class never waits
     * behind another in a partition ({@link #REQUESTS_BY_ID_REPARTITION} carries NORMAL ones).
     */
    public static final String INTERACTIVE_REQUESTS_REPARTITION = "requests-interactive-by-id";
    public static final String BULK_REQUESTS_REPARTITION = "requests-bulk-by-id";
    /** Requests from {@code separation-requests-bulk}, all BULK. */
    public static final String BULK_INTAKE_REPARTITION = "requests-bulk-intake-by-id";
    /** Submission outcomes and results, re-stamped as follow-up work (see WorkOrder) on their way in. */
    public static final String SUBMISSIONS_REPARTITION = "submissions-by-id";
    public static final String RESULTS_REPARTITION = "results-by-id";

    /** The scheduler's stores (see QueueKeys for their keys): waiting jobs, lanes, controls, shares... */
    public static final String QUEUE_JOBS = "queue-jobs";
    public static final String QUEUE_LANES = "queue-lanes";
    public static final String QUEUE_CONTROLS = "queue-controls";
    public static final String QUEUE_SHARES = "queue-shares";
    /** requestId -> {@link HandedJob}: released jobs waiting for their submission outcome. */
    public static final String QUEUE_HANDED = "queue-handed";
    /** counters: in-flight, sequence numbers. */
    public static final String QUEUE_META = "queue-meta";
    /** sequence -> {@link QueueSweep}: per-job work left by commands. */
    public static final String QUEUE_SWEEPS = "queue-sweeps";

    private StoreNames() {
    }
}
