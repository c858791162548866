package io.stemflow.pipeline.topology;

import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlScope;
import io.stemflow.pipeline.topology.QueueKeys.LaneRef;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler: decides which waiting job goes to the provider next, as late as possible. It runs as ONE
 * task (its input, {@code job-queue}, has one partition), so it sees the whole queue.
 *
 * <ul>
 *   <li><b>Late</b>: it releases a job of a class only while fewer than {@code lead} released jobs of that
 *       class and the more urgent ones wait for their submission outcome. The gateway so holds about a
 *       window's worth of jobs of each class, and every other job still waits here, where a priority, a
 *       weight, a pause or a cancel can change its fate. Less urgent jobs already handed on never hold back
 *       an urgent one: it is released at once and the gateway, which dispatches by class, calls it first
 *       (with one lead for all, 20 INTERACTIVE jobs behind a full lead of BULK ones waited a whole window
 *       for the BULK ones to be called before the first of them was even released).</li>
 *   <li><b>Priorities</b>: a waiting job of a higher class is always released before any of a lower class,
 *       unless its account or batch is paused or its account is at its cap (then lower classes go on:
 *       nothing idles for a job that may not go).</li>
 *   <li><b>Shares</b>: within a class, deficit round robin over the accounts with waiting jobs, in account
 *       id order: an account's turn adds its weight to its deficit, each job released takes one, the turn
 *       ends when the deficit is spent or the account has nothing eligible left (an account that leaves
 *       loses what was left, as in DRR). Weights 3 and 1 give A A A B A A A B ...: exact over every
 *       round. Within an account, its batches take turns job by job; within a batch, arrival order.</li>
 *   <li><b>Cost</b>: each decision is a few keyed reads and one seek in RocksDB, whatever the number of
 *       waiting jobs; it walks only the accounts of a class and the batches of one account (skipping paused
 *       ones), never the jobs.</li>
 *   <li><b>Control</b>: a command takes effect at once (paused or cancelled lanes are skipped from the
 *       next decision on); its per-job statuses are written by a sweep, a chunk per tick.</li>
 * </ul>
 */
final class SchedulerProcessor implements Processor<String, QueueEvent, String, ScheduleEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerProcessor.class);
    /** Keys of queue-meta: released jobs without an outcome; the lead they are held to (for queries). */
    static final String IN_FLIGHT = "in-flight";
    /** Key prefix of queue-meta: released jobs of one class without an outcome (suffix: the class index). */
    private static final String IN_FLIGHT_OF = "in-flight-";
    static final String LEAD = "lead";
    private static final String SEQ = "seq";
    private static final String SWEEP_SEQ = "sweep-seq";

    private final int lead;
    private final int sweepChunk;
    private final Duration tick;
    private final TopologyMetrics metrics;
    private ProcessorContext<String, ScheduleEvent> context;
    private KeyValueStore<String, QueuedJob> jobs;
    private KeyValueStore<String, QueueLane> lanes;
    private KeyValueStore<String, QueueControl> controls;
    private KeyValueStore<String, AccountShareState> shares;
    private KeyValueStore<String, HandedJob> handed;
    private KeyValueStore<String, Long> meta;
    private KeyValueStore<String, QueueSweep> sweeps;

    SchedulerProcessor(final TopologyConfig config, final TopologyMetrics metrics) {
        this.lead = config.schedulerLead();
        this.sweepChunk = config.schedulerSweepChunk();
        this.tick = config.schedulerTick();
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, ScheduleEvent> ctx) {
        this.context = ctx;
        this.jobs = ctx.getStateStore(StoreNames.QUEUE_JOBS);
        this.lanes = ctx.getStateStore(StoreNames.QUEUE_LANES);
        this.controls = ctx.getStateStore(StoreNames.QUEUE_CONTROLS);
        this.shares = ctx.getStateStore(StoreNames.QUEUE_SHARES);
        this.handed = ctx.getStateStore(StoreNames.QUEUE_HANDED);
        this.meta = ctx.getStateStore(StoreNames.QUEUE_META);
        this.sweeps = ctx.getStateStore(StoreNames.QUEUE_SWEEPS);
        ctx.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(final Record<String, QueueEvent> record) {
        final long now = context.currentSystemTimeMs();
        final QueueEvent event = record.value();
        if (event instanceof QueueEvent.Enqueue e) {
            enqueue(e.job(), now);
        } else if (event instanceof QueueEvent.Settled s) {
            settle(s);
        } else if (event instanceof QueueEvent.Control c) {
            control(c, now);
        } else if (event instanceof QueueEvent.Share s) {
            share(s);
        }
        pump(now);
    }

    private void onTick(final long now) {
        int budget = sweepChunk;
        final List<KeyValue<String, QueueSweep>> pending = new ArrayList<>();
        try (KeyValueIterator<String, QueueSweep> it = sweeps.all()) {
            it.forEachRemaining(pending::add);
        }
        for (final KeyValue<String, QueueSweep> s : pending) {
            budget = sweep(s.key, s.value, budget, now);
            if (budget == 0) {
                break;
            }
        }
        pump(now);
    }

    // ---- arrivals and departures --------------------------------------------------------------

    private void enqueue(final QueuedJob job, final long now) {
        final QueueControl batchControl = batchControl(job.batchId(), job.accountId());
        if (batchControl != null && batchControl.action() == ControlAction.CANCEL) {
            metrics.count(Event.JOB_CANCELLED);
            emit(ScheduleEvent.Kind.CANCEL, job.requestId(), job.attempt(), batchControl.describe(), now);
            return;
        }
        final int c = QueueKeys.classIndex(WorkOrder.classOf(job.priority()));
        final String batch = QueueKeys.batchName(job.batchId());
        final long seq = next(SEQ);
        jobs.put(QueueKeys.job(c, job.accountId(), batch, seq), job);
        final String laneKey = QueueKeys.lane(c, job.accountId(), batch);
        final QueueLane lane = lanes.get(laneKey);
        if (lane == null && job.batchId() != null) {
            lanes.put(QueueKeys.batchIndex(batch, c, job.accountId()), QueueLane.EMPTY);
        }
        lanes.put(laneKey, (lane == null ? QueueLane.EMPTY : lane).plusWaiting(1));
        final String accountKey = QueueKeys.account(c, job.accountId());
        final QueueLane account = lanes.get(accountKey);
        lanes.put(accountKey, (account == null ? QueueLane.EMPTY : account).plusWaiting(1));
        final QueueControl hold = holdOf(job.accountId(), job.batchId());
        if (hold != null) {
            metrics.count(Event.JOB_HELD);
            emit(ScheduleEvent.Kind.HOLD, job.requestId(), job.attempt(), hold.describe(), now);
        }
    }

    private void settle(final QueueEvent.Settled settled) {
        final HandedJob h = handed.get(settled.requestId());
        if (h == null || h.attempt() != settled.attempt()) {
            return;
        }
        handed.delete(settled.requestId());
        meta.put(IN_FLIGHT, Math.max(0, inFlight() - 1));
        final String ofClass = IN_FLIGHT_OF + h.counted();
        final Long n = meta.get(ofClass);
        meta.put(ofClass, Math.max(0, (n == null ? 0 : n) - 1));
    }

    /** Takes a job out of the queue (released or cancelled) and keeps the lane counts right. */
    private void remove(final String jobKey, final LaneRef lane) {
        jobs.delete(jobKey);
        final QueueLane batchLane = lanes.get(lane.laneKey());
        if (batchLane == null || batchLane.waiting() <= 1) {
            lanes.delete(lane.laneKey());
            if (lane.batchId() != null) {
                lanes.delete(QueueKeys.batchIndex(lane.batch(), lane.c(), lane.account()));
            }
        } else {
            // Jobs leave a lane in key order: the lane remembers the last one, so finding its head seeks past
            // it instead of stepping over the tombstone of every job released since RocksDB last compacted.
            lanes.put(lane.laneKey(), batchLane.plusWaiting(-1).withLast(jobKey));
        }
        final String accountKey = QueueKeys.account(lane.c(), lane.account());
        final QueueLane account = lanes.get(accountKey);
        if (account == null || account.waiting() <= 1) {
            lanes.delete(accountKey);
        } else {
            lanes.put(accountKey, account.plusWaiting(-1));
        }
    }

    // ---- the decision -----------------------------------------------------------------------

    /** Releases jobs while the lead has room: highest class first, deficit round robin within it. */
    private void pump(final long now) {
        final Long recordedLead = meta.get(LEAD);
        if (recordedLead == null || recordedLead != lead) {
            meta.put(LEAD, (long) lead);
        }
        final long[] inFlightOf = new long[QueueKeys.CLASSES];
        for (int c = 0; c < QueueKeys.CLASSES; c++) {
            final Long n = meta.get(IN_FLIGHT_OF + c);
            inFlightOf[c] = n == null ? 0 : n;
        }
        long inFlight = inFlight();
        while (true) {
            final Pick pick = next(now, inFlightOf);
            if (pick == null) {
                break;
            }
            remove(pick.jobKey(), pick.lane());
            handed.put(pick.job().requestId(),
                    new HandedJob(pick.job().attempt(), pick.job().accountId(), now, pick.lane().c()));
            shares.put(pick.job().accountId(), shareOf(pick.job().accountId()).handedOn(now));
            inFlight++;
            inFlightOf[pick.lane().c()]++;
            meta.put(IN_FLIGHT, inFlight);
            meta.put(IN_FLIGHT_OF + pick.lane().c(), inFlightOf[pick.lane().c()]);
            metrics.count(Event.JOB_RELEASED);
            emit(ScheduleEvent.Kind.RELEASE, pick.job().requestId(), pick.job().attempt(), null, now);
        }
    }

    private record Pick(String jobKey, QueuedJob job, LaneRef lane) {
    }

    /** The next job to release: the most urgent class whose lead (its own and more urgent jobs) has room. */
    private Pick next(final long now, final long[] inFlightOf) {
        long ahead = 0;
        for (int c = 0; c < QueueKeys.CLASSES; c++) {
            ahead += inFlightOf[c];
            if (ahead >= lead) {
                return null;
            }
            final Pick pick = nextInClass(c, now);
            if (pick != null) {
                return pick;
            }
        }
        return null;
    }

    /** Deficit round robin over the accounts of class {@code c}. */
    private Pick nextInClass(final int c, final long now) {
        final QueueLane pointer = lanes.get(QueueKeys.pointer(c));
        final String current = pointer == null ? null : pointer.last();
        if (current != null) {
            final String accountKey = QueueKeys.account(c, current);
            final QueueLane account = lanes.get(accountKey);
            if (account != null && account.deficit() >= 1) {
                if (eligible(current, now)) {
                    final Pick pick = headOf(c, current, account);
                    if (pick != null) {
                        return take(accountKey, account, pick);
                    }
                }
                lanes.put(accountKey, account.withDeficit(0));
            }
        }
        // The next account after the current one, in id order, wrapping round to the current one last.
        final String prefix = QueueKeys.accountsOf(c);
        final String from = current == null ? prefix : QueueKeys.after(QueueKeys.account(c, current));
        Pick pick = firstEligibleAccount(c, from, QueueKeys.upper(prefix), now);
        if (pick == null && current != null) {
            pick = firstEligibleAccount(c, prefix, QueueKeys.account(c, current), now);
        }
        return pick;
    }

    private Pick firstEligibleAccount(final int c, final String from, final String to, final long now) {
        final List<KeyValue<String, QueueLane>> accounts = new ArrayList<>();
        try (KeyValueIterator<String, QueueLane> it = lanes.range(from, to)) {
            it.forEachRemaining(accounts::add);
        }
        for (final KeyValue<String, QueueLane> entry : accounts) {
            final String accountId = QueueKeys.split(entry.key)[2];
            if (!eligible(accountId, now)) {
                continue;
            }
            final Pick pick = headOf(c, accountId, entry.value);
            if (pick == null) {
                continue;
            }
            lanes.put(QueueKeys.pointer(c), QueueLane.EMPTY.withLast(accountId));
            final QueueLane turn = entry.value.withDeficit(shareOf(accountId).weight());
            return take(entry.key, turn, pick);
        }
        return null;
    }

    private Pick take(final String accountKey, final QueueLane account, final Pick pick) {
        lanes.put(accountKey, account.withDeficit(account.deficit() - 1).withLast(pick.lane().batch()));
        return pick;
    }

    /** The account's next job: its batch lanes take turns, starting after the one served last. */
    private Pick headOf(final int c, final String accountId, final QueueLane account) {
        final String prefix = QueueKeys.lanesOf(c, accountId);
        final String last = account.last();
        Pick pick = null;
        if (last != null) {
            pick = firstOpenLane(accountId, QueueKeys.after(QueueKeys.lane(c, accountId, last)),
                    QueueKeys.upper(prefix));
        }
        if (pick == null) {
            pick = firstOpenLane(accountId, prefix, last == null ? QueueKeys.upper(prefix)
                    : QueueKeys.lane(c, accountId, last));
        }
        return pick;
    }

    private Pick firstOpenLane(final String accountId, final String from, final String to) {
        try (KeyValueIterator<String, QueueLane> it = lanes.range(from, to)) {
            while (it.hasNext()) {
                final KeyValue<String, QueueLane> entry = it.next();
                final String[] parts = QueueKeys.split(entry.key);
                final LaneRef lane = new LaneRef(Integer.parseInt(parts[1]), accountId, parts[3]);
                if (batchControl(lane.batchId(), accountId) != null) {
                    continue;
                }
                final KeyValue<String, QueuedJob> head = first(lane.jobsPrefix(), entry.value.last());
                if (head != null) {
                    return new Pick(head.key, head.value, lane);
                }
            }
        }
        return null;
    }

    /** The first job under {@code prefix}, after {@code gone} (the last job that left the lane) when known. */
    private KeyValue<String, QueuedJob> first(final String prefix, final String gone) {
        final String from = gone == null || !gone.startsWith(prefix) ? prefix : QueueKeys.after(gone);
        try (KeyValueIterator<String, QueuedJob> it = jobs.range(from, QueueKeys.upper(prefix))) {
            return it.hasNext() ? it.next() : null;
        }
    }

    private boolean eligible(final String accountId, final long now) {
        return controls.get(QueueKeys.accountControl(accountId)) == null && shareOf(accountId).allows(now);
    }

    // ---- control ----------------------------------------------------------------------------

    private void control(final QueueEvent.Control command, final long now) {
        final String commandKey = QueueKeys.command(command.commandId());
        if (controls.get(commandKey) != null) {
            metrics.count(Event.DUPLICATE_COMMAND);
            LOG.info("Control command {} seen again: already applied", command.commandId());
            return;
        }
        final String describe = command.describe();
        controls.put(commandKey, new QueueControl(command.action(), command.commandId(), describe, now));
        final String key = QueueKeys.controlOf(command.scope(), command.target(), command.accountId());
        final QueueControl standing = controls.get(key);
        final boolean cancelledBatch = standing != null && standing.action() == ControlAction.CANCEL;
        LOG.info("Control: {}", describe);
        switch (command.action()) {
            case PAUSE -> {
                if (cancelledBatch) {
                    return;
                }
                controls.put(key, new QueueControl(ControlAction.PAUSE, command.commandId(), describe, now));
                startSweep(ScheduleEvent.Kind.HOLD, command, describe);
            }
            case RESUME -> {
                if (cancelledBatch || standing == null) {
                    return;
                }
                controls.delete(key);
                startSweep(ScheduleEvent.Kind.UNHOLD, command, describe);
            }
            case CANCEL -> {
                // A cancelled batch stays cancelled; a cancelled account is left paused, so the jobs still on
                // their way to the queue wait for an operator instead of running.
                final ControlAction standingAction = command.scope() == ControlScope.BATCH
                        ? ControlAction.CANCEL : ControlAction.PAUSE;
                controls.put(key, new QueueControl(standingAction, command.commandId(), describe, now));
                startSweep(ScheduleEvent.Kind.CANCEL, command, describe);
            }
            default -> LOG.warn("Control command {} has an action this version does not know", command.commandId());
        }
    }

    private void startSweep(final ScheduleEvent.Kind step, final QueueEvent.Control command, final String describe) {
        // A newer command over the same target supersedes the per-job work an older one left.
        final List<String> superseded = new ArrayList<>();
        try (KeyValueIterator<String, QueueSweep> it = sweeps.all()) {
            it.forEachRemaining(s -> {
                if (s.value.scope() == command.scope() && s.value.target().equals(command.target())
                        && java.util.Objects.equals(s.value.accountId(), command.accountId())) {
                    superseded.add(s.key);
                }
            });
        }
        superseded.forEach(sweeps::delete);
        sweeps.put(SortableNumber.of(next(SWEEP_SEQ)), new QueueSweep(step, command.scope(), command.target(),
                command.accountId(), describe, 0, null, null));
    }

    /** Does up to {@code budget} jobs of a sweep; returns what is left of the budget. */
    private int sweep(final String sweepKey, final QueueSweep start, final int budget, final long now) {
        final List<String> prefixes = QueueKeys.sweepPrefixes(start.scope(), start.target());
        QueueSweep sweep = start;
        int left = budget;
        while (sweep.prefix() < prefixes.size()) {
            final String prefix = prefixes.get(sweep.prefix());
            final String from = sweep.laneCursor() == null ? prefix : sweep.laneCursor();
            final List<String> laneRows = new ArrayList<>();
            try (KeyValueIterator<String, QueueLane> it = lanes.range(from, QueueKeys.upper(prefix))) {
                while (it.hasNext() && laneRows.size() < 64) {
                    laneRows.add(it.next().key);
                }
            }
            if (laneRows.isEmpty()) {
                sweep = sweep.at(sweep.prefix() + 1, null, null);
                continue;
            }
            for (final String row : laneRows) {
                final LaneRef lane = LaneRef.of(row);
                if (start.accountId() != null && !start.accountId().equals(lane.account())) {
                    sweep = sweep.at(sweep.prefix(), QueueKeys.after(row), null);
                    continue;
                }
                final String jobsPrefix = lane.jobsPrefix();
                final String jobsFrom = row.equals(sweep.laneCursor()) && sweep.jobCursor() != null
                        ? QueueKeys.after(sweep.jobCursor()) : jobsPrefix;
                final List<KeyValue<String, QueuedJob>> chunk = new ArrayList<>();
                try (KeyValueIterator<String, QueuedJob> it = jobs.range(jobsFrom, QueueKeys.upper(jobsPrefix))) {
                    while (it.hasNext() && chunk.size() < left) {
                        chunk.add(it.next());
                    }
                }
                final boolean applies = applies(start.step(), lane);
                for (final KeyValue<String, QueuedJob> job : chunk) {
                    apply(start.step(), applies, job, lane, start.reason(), now);
                }
                left -= chunk.size();
                if (left == 0) {
                    sweeps.put(sweepKey, sweep.at(sweep.prefix(), row, chunk.get(chunk.size() - 1).key));
                    return 0;
                }
                sweep = sweep.at(sweep.prefix(), QueueKeys.after(row), null);
            }
        }
        sweeps.delete(sweepKey);
        return left;
    }

    /** Whether a sweep's step still holds for a lane now (a later command may have changed it). */
    private boolean applies(final ScheduleEvent.Kind step, final LaneRef lane) {
        return switch (step) {
            case HOLD -> holdOf(lane.account(), lane.batchId()) != null;
            case UNHOLD -> holdOf(lane.account(), lane.batchId()) == null;
            default -> true;
        };
    }

    private void apply(final ScheduleEvent.Kind step, final boolean applies, final KeyValue<String, QueuedJob> job,
                       final LaneRef lane, final String reason, final long now) {
        if (step == ScheduleEvent.Kind.CANCEL) {
            remove(job.key, lane);
            metrics.count(Event.JOB_CANCELLED);
            emit(step, job.value.requestId(), job.value.attempt(), reason, now);
        } else if (applies) {
            metrics.count(step == ScheduleEvent.Kind.HOLD ? Event.JOB_HELD : Event.STALE_SCHEDULE);
            emit(step, job.value.requestId(), job.value.attempt(), reason, now);
        }
    }

    // ---- shares -----------------------------------------------------------------------------

    private void share(final QueueEvent.Share share) {
        final AccountShareState current = shares.get(share.accountId());
        final AccountShareState base = current == null ? AccountShareState.DEFAULT : current;
        shares.put(share.accountId(), base.with(share.weight(), share.capCalls(), share.capWindowMillis()));
    }

    private AccountShareState shareOf(final String accountId) {
        final AccountShareState s = shares.get(accountId);
        return s == null ? AccountShareState.DEFAULT : s;
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** The standing batch control over a job of {@code accountId} in {@code batchId}, if any. */
    private QueueControl batchControl(final String batchId, final String accountId) {
        return QueueControl.ofBatch(controls, batchId, accountId);
    }

    /** What holds a job of this account and batch: a batch control or an account pause, if any. */
    private QueueControl holdOf(final String accountId, final String batchId) {
        final QueueControl batch = batchControl(batchId, accountId);
        return batch != null ? batch : controls.get(QueueKeys.accountControl(accountId));
    }

    private long inFlight() {
        final Long n = meta.get(IN_FLIGHT);
        return n == null ? 0 : n;
    }

    private long next(final String counter) {
        final Long n = meta.get(counter);
        final long next = n == null ? 1 : n + 1;
        meta.put(counter, next);
        return next;
    }

    private void emit(final ScheduleEvent.Kind kind, final String requestId, final int attempt, final String reason,
                      final long now) {
        context.forward(new Record<>(requestId, new ScheduleEvent(kind, requestId, attempt, reason, now),
                WorkOrder.followUp(now)));
    }
}
