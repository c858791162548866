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
    /** batchId -> {@link BatchTally}. */
    public static final String BATCH_COUNTS = "batch-counts";
    /** Repartition of status events by batchId: topic {@code <application.id>-batch-status-repartition}. */
    public static final String BATCH_STATUS_REPARTITION = "batch-status";

    /** Requests re-keyed with Kafka's partitioner: topic {@code <application.id>-requests-by-id-repartition}. */
    public static final String REQUESTS_BY_ID_REPARTITION = "requests-by-id";
    /** Grants re-keyed with Kafka's partitioner: topic {@code <application.id>-grants-by-account-repartition}. */
    public static final String GRANTS_BY_ACCOUNT_REPARTITION = "grants-by-account";

    private StoreNames() {
    }
}
