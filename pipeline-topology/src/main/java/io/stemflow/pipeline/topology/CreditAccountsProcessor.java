package io.stemflow.pipeline.topology;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.pipeline.topology.TopologyConfig.UngrantedAccounts;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import io.stemflow.schemas.AccountIds;
import io.stemflow.schemas.DeadLetterHeaders;
import io.stemflow.schemas.GrantRules;
import io.stemflow.schemas.TopicNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credit ledger (keyed by accountId): applies grants and the job side's RESERVE, CAPTURE and
 * RELEASE commands to each account's balance, writes every movement to the journal, and decides
 * admission. A job the account cannot cover is held in a per-account queue and admitted, oldest
 * first (strict order: a later small job never overtakes an earlier large one), as soon as a
 * grant or a release makes room. An operator's cancel of a batch or an account ends its held jobs at once
 * (they would otherwise keep their place at the head of the account's queue until credits came), and a
 * job of a cancelled batch that asks for credits later is cancelled without being reserved or held.
 *
 * <p>Invariants, per account, at every step: granted = available + reserved + spent; per
 * requestId at most one capture across all attempts; a reservation is captured or released,
 * never both. The {@link Reservation} store enforces the last two even against a repeated command.
 */
final class CreditAccountsProcessor implements Processor<String, AccountEvent, String, AccountOutput> {

    private static final Logger LOG = LoggerFactory.getLogger(CreditAccountsProcessor.class);
    private static final StringSerializer KEYS = new StringSerializer();

    private final TopologyConfig config;
    private final TopologyMetrics metrics;
    private ProcessorContext<String, AccountOutput> context;
    private KeyValueStore<String, AccountState> accounts;
    private KeyValueStore<String, Reservation> reservations;
    private KeyValueStore<String, CreditCommand> queue;
    private KeyValueStore<String, Long> grantIds;
    private KeyValueStore<String, String> cancels;

    CreditAccountsProcessor(final TopologyConfig config, final TopologyMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, AccountOutput> ctx) {
        this.context = ctx;
        this.accounts = ctx.getStateStore(StoreNames.CREDIT_BALANCES);
        this.reservations = ctx.getStateStore(StoreNames.CREDIT_RESERVATIONS);
        this.queue = ctx.getStateStore(StoreNames.THROTTLED_JOBS);
        this.grantIds = ctx.getStateStore(StoreNames.CREDIT_GRANT_IDS);
        this.cancels = ctx.getStateStore(StoreNames.CREDIT_CANCELS);
    }

    @Override
    public void process(final Record<String, AccountEvent> record) {
        final long now = context.currentSystemTimeMs();
        final AccountEvent event = record.value();
        if (event instanceof AccountEvent.Granted g) {
            onGrant(record.key(), g.grant(), Origin.of(record.headers(), context.recordMetadata(),
                    TopicNames.CREDIT_GRANTS), now);
        } else if (event instanceof AccountEvent.Commanded c) {
            final CreditCommand command = c.command();
            switch (command.kind()) {
                case RESERVE -> onReserve(command, now);
                case CAPTURE -> onCapture(command, now);
                case RELEASE -> onRelease(command, now);
                case CANCEL -> onCancel(command, now);
            }
        }
    }

    private void onGrant(final String key, final CreditGrant grant, final Origin origin, final long now) {
        final String problem = GrantRules.problem(key, grant);
        if (problem != null) {
            metrics.count(Event.INVALID_GRANT);
            LOG.warn("Grant {} refused: {}", origin.id(), problem);
            final DeadLetter letter = DeadLetter.newBuilder()
                    .setDeadLetterId("GRANT/" + origin.id())
                    .setKind(DeadLetterKind.INVALID_RECORD)
                    .setReason("invalid grant: " + problem)
                    .setAccountId(AccountIds.isValid(grant.getAccountId()) ? grant.getAccountId() : null)
                    .setSourceTopic(origin.topic())
                    .setSourcePartition(origin.partition())
                    .setSourceOffset(origin.offset())
                    .setFailedAt(Instant.ofEpochMilli(now))
                    .build();
            forward(key, new AccountOutput.Dead(letter), DeadLetterHeaders.headersOf(letter), now);
            return;
        }
        if (grantIds.get(grant.getGrantId()) != null) {
            metrics.count(Event.DUPLICATE_GRANT);
            LOG.info("Grant {} for account {} already applied; ignored", grant.getGrantId(), grant.getAccountId());
            return;
        }
        grantIds.put(grant.getGrantId(), now);
        final AccountState state = account(grant.getAccountId()).grant(grant.getCredits(), now);
        journal(state, LedgerEntryKind.GRANT, "grant/" + grant.getGrantId(), grant.getCredits(), null, null,
                grant.getReason(), now);
        drain(state, now);
    }

    private void onReserve(final CreditCommand command, final long now) {
        final Reservation existing = reservations.get(command.requestId());
        if (existing != null && (existing.status() == Reservation.Status.CAPTURED
                || existing.attempt() >= command.attempt())) {
            metrics.count(Event.IGNORED_CREDIT_COMMAND);
            LOG.warn("RESERVE of request {} attempt {} ignored: reservation is {} for attempt {}", command.requestId(),
                    command.attempt(), existing.status(), existing.attempt());
            return;
        }
        final String cancelled = cancelOf(command);
        if (cancelled != null) {
            reservations.put(command.requestId(), new Reservation(command.accountId(), command.attempt(),
                    command.credits(), Reservation.Status.CANCELLED));
            cancelled(command, cancelled, now);
            return;
        }
        AccountState state = account(command.accountId());
        if (state.queued() == 0 && canCover(state, command.credits())) {
            reserve(state, command, now);
            return;
        }
        queue.put(queueKey(command.accountId(), state.nextQueueSeq()), command);
        state = state.enqueued(now);
        accounts.put(state.accountId(), state);
        reservations.put(command.requestId(), new Reservation(command.accountId(), command.attempt(),
                command.credits(), Reservation.Status.QUEUED));
        forward(command.requestId(), new AccountOutput.Decision(new JobDecision(JobDecision.Kind.THROTTLED,
                command.requestId(), command.attempt(), command.credits(), throttleReason(state, command.credits()),
                now)), WorkOrder.followUp(now));
    }

    private void onCapture(final CreditCommand command, final long now) {
        final Reservation r = reservations.get(command.requestId());
        if (r == null || r.status() != Reservation.Status.RESERVED || r.attempt() != command.attempt()) {
            metrics.count(Event.IGNORED_CREDIT_COMMAND);
            LOG.warn("CAPTURE of request {} attempt {} ignored: reservation is {}", command.requestId(),
                    command.attempt(), r);
            return;
        }
        reservations.put(command.requestId(), r.with(Reservation.Status.CAPTURED));
        final AccountState state = account(r.accountId()).capture(r.credits(), now);
        journal(state, LedgerEntryKind.CAPTURE, entryId(command, LedgerEntryKind.CAPTURE), r.credits(),
                command.requestId(), command.attempt(), "job completed", now);
    }

    private void onRelease(final CreditCommand command, final long now) {
        final Reservation r = reservations.get(command.requestId());
        if (r == null || r.status() != Reservation.Status.RESERVED || r.attempt() != command.attempt()) {
            metrics.count(Event.IGNORED_CREDIT_COMMAND);
            LOG.warn("RELEASE of request {} attempt {} ignored: reservation is {}", command.requestId(),
                    command.attempt(), r);
            return;
        }
        reservations.put(command.requestId(), r.with(Reservation.Status.RELEASED));
        final AccountState state = account(r.accountId()).release(r.credits(), now);
        journal(state, LedgerEntryKind.RELEASE, entryId(command, LedgerEntryKind.RELEASE), r.credits(),
                command.requestId(), command.attempt(), "job failed or was rejected", now);
        drain(state, now);
    }

    /**
     * An operator's cancel: remembers a cancelled batch, and ends every held job it covers in this task's
     * accounts (the one named, or all of them for a whole batch), then admits what the account can now cover
     * (a cancelled job at the head no longer blocks the ones behind it). Idempotent: a repeat finds nothing.
     */
    private void onCancel(final CreditCommand cancel, final long now) {
        if (cancel.batchId() != null) {
            cancels.put(QueueKeys.batchControl(cancel.batchId(), cancel.accountId()), cancel.reason());
        }
        final String prefix = cancel.accountId() == null ? null : cancel.accountId() + "|";
        final List<KeyValue<String, CreditCommand>> held = new ArrayList<>();
        try (KeyValueIterator<String, CreditCommand> it = prefix == null ? queue.all()
                : queue.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> {
                if (cancel.batchId() == null || cancel.batchId().equals(kv.value.batchId())) {
                    held.add(kv);
                }
            });
        }
        final Map<String, AccountState> touched = new TreeMap<>();
        for (final KeyValue<String, CreditCommand> kv : held) {
            final CreditCommand job = kv.value;
            queue.delete(kv.key);
            touched.put(job.accountId(), touched.computeIfAbsent(job.accountId(), this::account).dequeued());
            reservations.put(job.requestId(), new Reservation(job.accountId(), job.attempt(), job.credits(),
                    Reservation.Status.CANCELLED));
            cancelled(job, cancel.reason(), now);
        }
        if (!held.isEmpty()) {
            LOG.info("Cancel {}: {} job(s) waiting for credits cancelled", cancel.requestId(), held.size());
        }
        for (final AccountState state : touched.values()) {
            accounts.put(state.accountId(), state);
            drain(state, now);
        }
    }

    /** The audit text of the cancel that covers this RESERVE's batch, if its batch was cancelled. */
    private String cancelOf(final CreditCommand reserve) {
        if (reserve.batchId() == null) {
            return null;
        }
        final String all = cancels.get(QueueKeys.batchControl(reserve.batchId(), null));
        return all != null ? all : cancels.get(QueueKeys.batchControl(reserve.batchId(), reserve.accountId()));
    }

    private void cancelled(final CreditCommand job, final String reason, final long now) {
        metrics.count(Event.JOB_CANCELLED);
        forward(job.requestId(), new AccountOutput.Decision(new JobDecision(JobDecision.Kind.CANCELLED,
                job.requestId(), job.attempt(), job.credits(), reason, now)), WorkOrder.followUp(now));
    }

    /** Admits held jobs, oldest first, while the account covers the one at the head of its queue. */
    private void drain(final AccountState start, final long now) {
        AccountState state = start;
        while (state.queued() > 0) {
            final KeyValue<String, CreditCommand> head;
            try (KeyValueIterator<String, CreditCommand> it = queue.prefixScan(state.accountId() + "|", KEYS)) {
                if (!it.hasNext()) {
                    LOG.error("Account {} counts {} held jobs but its queue is empty; repairing the count",
                            state.accountId(), state.queued());
                    state = new AccountState(state.accountId(), state.granted(), state.available(), state.reserved(),
                            state.spent(), state.budgeted(), state.nextQueueSeq(), 0, now);
                    accounts.put(state.accountId(), state);
                    return;
                }
                head = it.next();
            }
            if (!canCover(state, head.value.credits())) {
                return;
            }
            queue.delete(head.key);
            state = state.dequeued();
            state = reserve(state, head.value, now);
        }
    }

    private AccountState reserve(final AccountState before, final CreditCommand command, final long now) {
        final AccountState state = before.reserve(command.credits(), now);
        reservations.put(command.requestId(), new Reservation(command.accountId(), command.attempt(),
                command.credits(), Reservation.Status.RESERVED));
        journal(state, LedgerEntryKind.RESERVATION, entryId(command, LedgerEntryKind.RESERVATION), command.credits(),
                command.requestId(), command.attempt(), "job admitted", now);
        forward(command.requestId(), new AccountOutput.Decision(new JobDecision(JobDecision.Kind.ADMITTED,
                command.requestId(), command.attempt(), command.credits(), null, now)), WorkOrder.followUp(now));
        return state;
    }

    private boolean canCover(final AccountState state, final long credits) {
        if (!state.budgeted()) {
            return config.ungrantedAccounts() == UngrantedAccounts.UNLIMITED;
        }
        return state.available() >= credits;
    }

    private String throttleReason(final AccountState state, final long credits) {
        if (!state.budgeted() && config.ungrantedAccounts() == UngrantedAccounts.BLOCKED) {
            return "account " + state.accountId() + " has no grant yet; job needs " + credits + " credits";
        }
        return "account " + state.accountId() + " has " + state.available() + " credits available, job needs "
                + credits + (state.queued() > 1 ? "; " + (state.queued() - 1) + " held job(s) ahead" : "");
    }

    /** Stores the new balance and writes the movement to the journal and the balance to its topic. */
    private void journal(final AccountState state, final LedgerEntryKind kind, final String entryId, final long credits,
                         final String requestId, final Integer attempt, final String reason, final long now) {
        if (!state.balanced()) {
            LOG.error("Credit invariant broken for account {}: {}", state.accountId(), state);
        }
        accounts.put(state.accountId(), state);
        forward(state.accountId(), new AccountOutput.Ledger(new LedgerEntry(entryId, state.accountId(), kind, credits,
                requestId, attempt, reason, Instant.ofEpochMilli(now))), now);
        forward(state.accountId(), new AccountOutput.Balance(new CreditBalance(state.accountId(), state.granted(),
                state.available(), state.reserved(), state.spent(), Instant.ofEpochMilli(now))), now);
    }

    private AccountState account(final String accountId) {
        final AccountState s = accounts.get(accountId);
        return s == null ? AccountState.empty(accountId) : s;
    }

    private static String entryId(final CreditCommand c, final LedgerEntryKind kind) {
        return c.requestId() + "/" + c.attempt() + "/" + kind.name();
    }

    static String queueKey(final String accountId, final long seq) {
        return accountId + "|" + SortableNumber.of(seq);
    }

    private void forward(final String key, final AccountOutput value, final long timestamp) {
        forward(key, value, new RecordHeaders(), timestamp);
    }

    private void forward(final String key, final AccountOutput value, final Headers headers, final long timestamp) {
        context.forward(new Record<>(key, value, timestamp, headers));
    }
}
