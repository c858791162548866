package io.stemflow.pipeline.topology;

import io.stemflow.avro.ControlAction;
import io.stemflow.avro.Priority;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The scheduler's queues as the query API shows them ({@code GET /queues}): per priority class, the accounts
 * with waiting jobs (weight, cap, paused) and their batches (waiting, paused, cancelled); the standing
 * pauses and cancels; how many jobs are handed to the gateway. Read from the scheduler's stores, walking the
 * lanes (one row per class, account and batch with waiting jobs), never the jobs.
 *
 * @param lead     jobs the scheduler hands on ahead of their outcomes, at most
 * @param handedOn jobs handed on whose outcome has not come back yet
 * @param waiting  jobs waiting, all classes
 */
public record QueueSummary(int lead, long handedOn, long waiting, List<ClassQueue> classes, List<Control> controls) {

    /** One priority class: its waiting jobs, per account in the order deficit round robin visits them. */
    public record ClassQueue(String priority, long waiting, List<AccountQueue> accounts) {
    }

    /**
     * @param share the part of the provider calls this account gets while every account listed in its class
     *              keeps jobs waiting and no higher class has any (its weight over the sum of the weights of
     *              the accounts that may go); 0 while it is paused or no account may go
     */
    public record AccountQueue(String accountId, long waiting, int weight, Integer capCalls, Long capWindowMillis,
                               boolean paused, double share, List<BatchQueue> batches) {
    }

    public record BatchQueue(String batchId, long waiting, boolean paused, boolean cancelled) {
    }

    /** A standing pause or cancel: what it holds, and the command that set it. */
    public record Control(String scope, String target, String accountId, String action, String commandId,
                          String describe, long at) {
    }

    public static QueueSummary read(final ReadOnlyKeyValueStore<String, QueueLane> lanes,
                                    final ReadOnlyKeyValueStore<String, QueueControl> controls,
                                    final ReadOnlyKeyValueStore<String, AccountShareState> shares,
                                    final ReadOnlyKeyValueStore<String, Long> meta) {
        final List<ClassQueue> classes = new ArrayList<>();
        long waiting = 0;
        for (int c = 0; c < QueueKeys.CLASSES; c++) {
            final Map<String, QueueLane> accounts = new LinkedHashMap<>();
            final String prefix = QueueKeys.accountsOf(c);
            try (KeyValueIterator<String, QueueLane> it = lanes.range(prefix, QueueKeys.upper(prefix))) {
                it.forEachRemaining(kv -> accounts.put(QueueKeys.split(kv.key)[2], kv.value));
            }
            long weights = 0;
            for (final String accountId : accounts.keySet()) {
                if (controls.get(QueueKeys.accountControl(accountId)) == null) {
                    weights += shareOf(shares, accountId).weight();
                }
            }
            final List<AccountQueue> rows = new ArrayList<>();
            long classWaiting = 0;
            for (final Map.Entry<String, QueueLane> a : accounts.entrySet()) {
                final String accountId = a.getKey();
                final AccountShareState share = shareOf(shares, accountId);
                final boolean paused = controls.get(QueueKeys.accountControl(accountId)) != null;
                rows.add(new AccountQueue(accountId, a.getValue().waiting(), share.weight(), share.capCalls(),
                        share.capWindowMillis(), paused,
                        paused || weights == 0 ? 0 : (double) share.weight() / weights,
                        batches(c, accountId, lanes, controls)));
                classWaiting += a.getValue().waiting();
            }
            classes.add(new ClassQueue(QueueKeys.classOf(c).name(), classWaiting, rows));
            waiting += classWaiting;
        }
        final List<Control> standing = new ArrayList<>();
        try (KeyValueIterator<String, QueueControl> it = controls.all()) {
            while (it.hasNext()) {
                final KeyValue<String, QueueControl> kv = it.next();
                final String[] p = QueueKeys.split(kv.key);
                if ("B".equals(p[0])) {
                    standing.add(new Control("BATCH", p[1], "*".equals(p[2]) ? null : p[2], kv.value.action().name(),
                            kv.value.commandId(), kv.value.describe(), kv.value.at()));
                } else if ("A".equals(p[0])) {
                    standing.add(new Control("ACCOUNT", p[1], null, kv.value.action().name(), kv.value.commandId(),
                            kv.value.describe(), kv.value.at()));
                }
            }
        }
        final Long handed = meta.get(SchedulerProcessor.IN_FLIGHT);
        final Long lead = meta.get(SchedulerProcessor.LEAD);
        return new QueueSummary(lead == null ? 0 : lead.intValue(), handed == null ? 0 : handed, waiting, classes,
                standing);
    }

    private static List<BatchQueue> batches(final int c, final String accountId,
                                            final ReadOnlyKeyValueStore<String, QueueLane> lanes,
                                            final ReadOnlyKeyValueStore<String, QueueControl> controls) {
        final List<BatchQueue> rows = new ArrayList<>();
        final String prefix = QueueKeys.lanesOf(c, accountId);
        try (KeyValueIterator<String, QueueLane> it = lanes.range(prefix, QueueKeys.upper(prefix))) {
            while (it.hasNext()) {
                final KeyValue<String, QueueLane> kv = it.next();
                final String batch = QueueKeys.split(kv.key)[3];
                final String batchId = batch.isEmpty() ? null : batch;
                final QueueControl control = QueueControl.ofBatch(controls, batchId, accountId);
                rows.add(new BatchQueue(batchId, kv.value.waiting(),
                        control != null && control.action() == ControlAction.PAUSE,
                        control != null && control.action() == ControlAction.CANCEL));
            }
        }
        return rows;
    }

    private static AccountShareState shareOf(final ReadOnlyKeyValueStore<String, AccountShareState> shares,
                                             final String accountId) {
        final AccountShareState s = shares.get(accountId);
        return s == null ? AccountShareState.DEFAULT : s;
    }

    /** The classes above {@code priority}: their waiting jobs all go first. */
    public long waitingAbove(final Priority priority) {
        final int mine = QueueKeys.classIndex(priority);
        long n = 0;
        for (int c = 0; c < mine; c++) {
            n += classes.get(c).waiting();
        }
        return n;
    }
}
