package io.stemflow.pipeline.topology;

import static io.stemflow.pipeline.topology.TopologyHarness.request;
import static io.stemflow.pipeline.topology.TopologyHarness.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlScope;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.Priority;
import io.stemflow.schemas.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler through the whole topology (TopologyTestDriver): priorities, shares, lead, control. */
class SchedulerTopologyTest {

    private TopologyHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private TopologyHarness harness(final int lead, final int sweepChunk) {
        final TopologyConfig d = TopologyConfig.defaults();
        h = new TopologyHarness(new TopologyConfig(d.separateVocalCost(), d.splitStemCost(), d.ungrantedAccounts(),
                d.resultTimeout(), d.reconcileInterval(), d.maxReconciliations(), Duration.ofSeconds(1),
                d.stemLinkTtl(), d.historyLimit(), lead, Duration.ofMillis(100), sweepChunk));
        return h;
    }

    private void submitAll(final String prefix, final String account, final String batch, final Priority priority,
                           final int n) {
        for (int i = 1; i <= n; i++) {
            h.submit(request(prefix + i, account, batch, priority));
        }
    }

    @Test
    void shouldHandOnEveryInteractiveJobBeforeAnyWaitingBulkJobWhenBothWait() {
        // given one job at the gateway and a bulk backlog waiting
        harness(1, 100);
        submitAll("bulk-", "label", "catalogue", Priority.BULK, 50);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("bulk-1");

        // when a waiting user's jobs come after the backlog
        submitAll("now-", "app", null, Priority.INTERACTIVE, 3);
        final List<String> order = h.drainAdmitted(10);

        // then they go next, one by one as the lead allows, and no other bulk job goes before them
        assertThat(order).containsExactly("now-1", "now-2", "now-3");
        h.accept("bulk-1", 1);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("bulk-2");
    }

    @Test
    void shouldHandOnAnInteractiveJobAtOnceWhenTheLeadIsFullOfBulkJobs() {
        // given a lead of 2, both places taken by bulk jobs the gateway has not called yet
        harness(2, 100);
        submitAll("bulk-", "label", "catalogue", Priority.BULK, 50);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId())
                .containsExactly("bulk-1", "bulk-2");

        // when a user's jobs come: they do not wait for the bulk jobs' outcomes (the gateway calls them first)
        submitAll("now-", "app", null, Priority.NORMAL, 3);

        // then as many as the lead are handed on at once, the next one when one of them has its outcome
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId())
                .containsExactly("now-1", "now-2");
        h.accept("bulk-1", 1);
        assertThat(values(h.admitted)).isEmpty();
        h.accept("now-1", 1);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("now-3");
        // and no bulk job goes while the lead of its class (every class counts) is full
        h.accept("now-2", 1);
        h.accept("now-3", 1);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("bulk-3");
    }

    @Test
    void shouldServeNormalBeforeBulkWhenARequestHasNoPriorityField() {
        // given a request written by a producer that does not know the field (it reads as the default)
        harness(1, 100);
        submitAll("bulk-", "label", "catalogue", Priority.BULK, 3);

        // when
        h.submit(request("plain", "team", SeparationType_SEPARATE_VOCAL()));

        // then it is NORMAL: handed on although bulk-1 holds the lead, and before the other bulk jobs
        assertThat(h.job("plain").priority()).isEqualTo(Priority.NORMAL);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId())
                .containsExactly("bulk-1", "plain");
        h.accept("bulk-1", 1);
        h.accept("plain", 1);
        assertThat(h.drainAdmitted(10)).containsExactly("bulk-2", "bulk-3");
    }

    private static io.stemflow.avro.SeparationType SeparationType_SEPARATE_VOCAL() {
        return io.stemflow.avro.SeparationType.SEPARATE_VOCAL;
    }

    @Test
    void shouldScheduleEveryRequestOfTheBulkTopicAsBulkWhenItSaysOtherwise() {
        // given a bulk backlog at the gateway's door
        harness(1, 100);
        submitAll("n-", "team", "b", Priority.NORMAL, 2);
        assertThat(values(h.admitted)).hasSize(1);

        // when a request claiming INTERACTIVE comes on the bulk topic
        final io.stemflow.avro.SeparationRequest claimed = request("claims", "team", "run", Priority.INTERACTIVE);
        h.requestsBulk.pipeInput(claimed.getRequestId(), claimed);
        h.accept("n-1", 1);

        // then it is BULK: the waiting NORMAL job goes first
        assertThat(h.job("claims").priority()).isEqualTo(Priority.BULK);
        assertThat(h.drainAdmitted(10)).containsExactly("n-2", "claims");
    }

    @Test
    void shouldHandOnThreeJobsOfTheHeavierAccountPerJobOfTheOtherWhenWeightsAreThreeAndOne() {
        // given two deep backlogs and weights 3 and 1
        harness(1, 100);
        h.share("heavy", 3, null, null);
        h.share("light", 1, null, null);
        submitAll("h-", "heavy", "hb", Priority.BULK, 320);
        submitAll("l-", "light", "lb", Priority.BULK, 120);

        // when 400 jobs go to the provider once both backlogs wait (h-1 went alone, at once, when it came,
        // and its account's turn ended with its queue empty, as deficit round robin has it)
        final List<String> all = h.drainAdmitted(401);
        assertThat(all.get(0)).isEqualTo("h-1");
        final List<String> order = all.subList(1, 401);

        // then exactly 300 and 100, in the deficit-round-robin order l h h h l h h h ...
        final Map<String, Long> byAccount = order.stream()
                .collect(Collectors.groupingBy(id -> id.substring(0, 1), Collectors.counting()));
        assertThat(byAccount).containsEntry("h", 300L).containsEntry("l", 100L);
        final String pattern = order.stream().map(id -> id.substring(0, 1)).collect(Collectors.joining());
        assertThat(pattern).isEqualTo("lhhh".repeat(100));
        // and within an account, arrival order
        assertThat(order.stream().filter(id -> id.startsWith("l-")).limit(3)).containsExactly("l-1", "l-2", "l-3");
    }

    @Test
    void shouldKeepAtMostTheLeadAtTheGatewayWhenOutcomesAreSlow() {
        // given
        harness(3, 100);

        // when
        submitAll("j-", "team", "b", Priority.NORMAL, 10);

        // then three are handed on, the rest wait QUEUED until an outcome frees a place
        assertThat(values(h.admitted)).hasSize(3);
        assertThat(h.state("j-4")).isEqualTo(JobState.QUEUED);
        h.reject("j-2", 1, 400, "bad audio");
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("j-4");
    }

    @Test
    void shouldHoldAPausedBatchAndReleaseItInTheSameOrderWhenResumed() {
        // given
        harness(1, 100);
        submitAll("p-", "team", "wrong", Priority.BULK, 6);
        submitAll("o-", "team", "other", Priority.BULK, 3);

        // when the batch is paused with p-1 at the gateway
        h.command("cmd-1", ControlAction.PAUSE, ControlScope.BATCH, "wrong", null);
        h.advance(Duration.ofMillis(200));
        final List<String> whilePaused = h.drainAdmitted(20);

        // then only the other batch goes; the paused jobs say so
        assertThat(whilePaused).containsExactly("p-1", "o-1", "o-2", "o-3");
        assertThat(h.state("p-2")).isEqualTo(JobState.PAUSED);
        assertThat(h.job("p-2").history().get(h.job("p-2").history().size() - 1).reason())
                .contains("batch wrong paused by ops (command cmd-1)");

        // when resumed
        h.command("cmd-2", ControlAction.RESUME, ControlScope.BATCH, "wrong", null);
        h.advance(Duration.ofMillis(200));
        final List<String> afterResume = h.drainAdmitted(20);

        // then the same jobs in the same order
        assertThat(afterResume).containsExactly("p-2", "p-3", "p-4", "p-5", "p-6");
    }

    @Test
    void shouldCancelEveryWaitingJobOfTheBatchAndReleaseItsCreditsWhenCancelled() {
        // given a budget, two batches, two jobs already at the gateway
        harness(2, 100);
        h.grant("g1", "team", 1_000);
        submitAll("c-", "team", "bad", Priority.BULK, 5);
        submitAll("k-", "team", "good", Priority.BULK, 2);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("c-1", "c-2");
        final long reservedBefore = h.account("team").reserved();
        assertThat(reservedBefore).isEqualTo(70);

        // when
        h.command("cmd-9", ControlAction.CANCEL, ControlScope.BATCH, "bad", null);
        h.advance(Duration.ofMillis(200));
        h.submit(request("c-late", "team", "bad", Priority.BULK));

        // then the waiting ones end CANCELLED with their reservations released; those at the gateway go on
        for (final String id : List.of("c-3", "c-4", "c-5", "c-late")) {
            assertThat(h.state(id)).as(id).isEqualTo(JobState.CANCELLED);
        }
        assertThat(h.account("team").reserved()).isEqualTo(reservedBefore - 3 * 10);
        final String task = h.accept("c-1", 1);
        h.accept("c-2", 1);
        final List<String> rest = h.drainAdmitted(20);
        assertThat(rest).containsExactly("k-1", "k-2");
        h.succeed("c-1", task, io.stemflow.avro.Stem.VOCALS);
        assertThat(h.state("c-1")).isEqualTo(JobState.COMPLETED);
        assertThat(h.account("team").spent()).isEqualTo(10);
        assertThat(h.batch("bad").counts()).containsEntry(JobState.CANCELLED, 4L);
    }

    @Test
    void shouldCancelJobsWaitingForCreditsAtOnceAndAdmitTheNextWhenTheirBatchIsCancelled() {
        // given an account that covers two jobs: w-1 at the gateway, w-2 QUEUED, w-3 and w-4 held for credits,
        // and a job of another batch held behind them
        harness(1, 100);
        h.grant("g1", "poor", 20);
        submitAll("w-", "poor", "wrong", Priority.NORMAL, 4);
        h.submit(request("k-1", "poor", "keep", Priority.NORMAL));
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("w-1");
        assertThat(h.state("w-2")).isEqualTo(JobState.QUEUED);
        assertThat(h.state("w-3")).isEqualTo(JobState.THROTTLED);
        assertThat(h.state("k-1")).isEqualTo(JobState.THROTTLED);

        // when the batch is cancelled, and later one more of its jobs arrives
        h.command("cancel-wrong", ControlAction.CANCEL, ControlScope.BATCH, "wrong", null);
        h.advance(Duration.ofMillis(200));
        h.submit(request("w-late", "poor", "wrong", Priority.NORMAL));

        // then the held ones are CANCELLED at once, naming the command, with nothing reserved for them
        for (final String id : List.of("w-2", "w-3", "w-4", "w-late")) {
            assertThat(h.state(id)).as(id).isEqualTo(JobState.CANCELLED);
        }
        assertThat(h.job("w-3").history()).last().satisfies(e ->
                assertThat(e.reason()).contains("cancel-wrong"));
        // and the other batch's job, no longer behind them, got w-2's released credits
        assertThat(h.state("k-1")).isEqualTo(JobState.QUEUED);
        final AccountState poor = h.account("poor");
        assertThat(poor.reserved()).isEqualTo(20);
        assertThat(poor.available()).isZero();
        assertThat(poor.queued()).isZero();
        assertThat(h.batch("wrong").counts()).containsEntry(JobState.CANCELLED, 4L);
        h.accept("w-1", 1);
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("k-1");
    }

    @Test
    void shouldCancelWaitingJobsAndKeepTheAccountPausedWhenAnAccountIsCancelled() {
        // given
        harness(1, 100);
        submitAll("a-", "team", "b1", Priority.NORMAL, 3);

        // when
        h.command("cmd-a", ControlAction.CANCEL, ControlScope.ACCOUNT, "team", null);
        h.advance(Duration.ofMillis(200));
        h.submit(request("a-late", "team", "b2", Priority.NORMAL));
        h.drainAdmitted(10);

        // then
        assertThat(h.state("a-2")).isEqualTo(JobState.CANCELLED);
        assertThat(h.state("a-late")).isEqualTo(JobState.PAUSED);
        h.command("cmd-b", ControlAction.RESUME, ControlScope.ACCOUNT, "team", null);
        assertThat(h.drainAdmitted(10)).containsExactly("a-late");
    }

    @Test
    void shouldApplyACommandOnceWhenItIsSeenTwice() {
        // given
        harness(1, 100);
        submitAll("d-", "team", "b", Priority.NORMAL, 3);

        // when the same pause arrives twice, and a resume in between
        h.command("same", ControlAction.PAUSE, ControlScope.BATCH, "b", null);
        h.command("other", ControlAction.RESUME, ControlScope.BATCH, "b", null);
        h.command("same", ControlAction.PAUSE, ControlScope.BATCH, "b", null);
        h.advance(Duration.ofMillis(200));

        // then the repeat changed nothing: the batch runs
        assertThat(h.drainAdmitted(10)).containsExactly("d-1", "d-2", "d-3");
        assertThat(h.metrics.total(TopologyMetrics.Event.DUPLICATE_COMMAND)).isEqualTo(1);
    }

    @Test
    void shouldHandOnNoMoreThanTheCapWhenAnAccountHasOne() {
        // given a cap of 2 jobs per 10 s and room at the gateway
        harness(10, 100);
        h.share("capped", 1, 2, 10_000L);
        submitAll("x-", "capped", "b", Priority.NORMAL, 5);
        submitAll("y-", "free", "b", Priority.NORMAL, 2);

        // then
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId())
                .containsExactlyInAnyOrder("x-1", "x-2", "y-1", "y-2");

        // when the window has passed
        h.advance(Duration.ofSeconds(10));

        // then two more
        assertThat(values(h.admitted)).extracting(a -> a.getRequest().getRequestId()).containsExactly("x-3", "x-4");
    }

    @Test
    void shouldPauseAHugeBatchAChunkPerTickWhenItHasMoreJobsThanAChunk() {
        // given
        harness(1, 4);
        submitAll("s-", "team", "big", Priority.BULK, 11);
        assertThat(values(h.admitted)).hasSize(1);

        // when
        h.command("p", ControlAction.PAUSE, ControlScope.BATCH, "big", null);
        final long pausedAfterOneTick = pausedNow(1);
        final long pausedAfterThree = pausedNow(2);

        // then the statuses come a chunk at a time, and no job of the batch goes meanwhile
        assertThat(pausedAfterOneTick).isEqualTo(4);
        assertThat(pausedAfterThree).isEqualTo(10);
        h.accept("s-1", 1);
        assertThat(values(h.admitted)).isEmpty();
    }

    private long pausedNow(final int ticks) {
        for (int i = 0; i < ticks; i++) {
            h.advance(Duration.ofMillis(100));
        }
        return IntStream.rangeClosed(2, 11).filter(i -> h.state("s-" + i) == JobState.PAUSED).count();
    }

    @Test
    void shouldDeadLetterAControlCommandWhenItNamesNoKnownAction() {
        // given
        harness(1, 100);

        // when
        h.control.pipeInput("b", new io.stemflow.avro.ControlCommand("c1", ControlAction.UNKNOWN, ControlScope.BATCH,
                "b", null, "ops", null, TopologyHarness.T0));
        h.shares.pipeInput("acct", new io.stemflow.avro.AccountShare("acct", 0, null, null, "ops", null,
                TopologyHarness.T0));

        // then
        final List<DeadLetter> letters = values(h.deadLetters);
        assertThat(letters).extracting(DeadLetter::getKind).containsOnly(DeadLetterKind.INVALID_RECORD);
        assertThat(letters).extracting(DeadLetter::getSourceTopic)
                .containsExactly(TopicNames.CONTROL, TopicNames.ACCOUNT_SHARES);
        assertThat(letters.get(0).getReason()).contains("action must be PAUSE, RESUME or CANCEL");
        assertThat(letters.get(1).getReason()).contains("weight must be 1 to 1000");
    }

    @Test
    void shouldWriteEveryQueueTransitionOnTheStatusTopicWhenAJobWaits() {
        // given
        harness(1, 100);

        // when
        submitAll("t-", "team", "b", Priority.NORMAL, 2);

        // then
        final List<JobStatus> statuses = values(h.status);
        final Map<String, List<JobState>> byJob = new java.util.TreeMap<>();
        statuses.forEach(s -> byJob.computeIfAbsent(s.getRequestId(), k -> new ArrayList<>()).add(s.getState()));
        assertThat(byJob.get("t-1")).containsExactly(JobState.REQUESTED, JobState.QUEUED, JobState.ADMITTED);
        assertThat(byJob.get("t-2")).containsExactly(JobState.REQUESTED, JobState.QUEUED);
    }

    @Test
    void shouldSummariseTheQueuesWithSharesAndControlsWhenJobsWait() {
        // given
        harness(1, 100);
        h.share("heavy", 3, 10, 60_000L);
        submitAll("h-", "heavy", "hb", Priority.BULK, 4);
        submitAll("l-", "light", "lb", Priority.BULK, 3);
        submitAll("i-", "app", null, Priority.INTERACTIVE, 2);
        h.command("p1", ControlAction.PAUSE, ControlScope.BATCH, "lb", null);

        // when
        final QueueSummary summary = QueueSummary.read(h.driver.getKeyValueStore(StoreNames.QUEUE_LANES),
                h.driver.getKeyValueStore(StoreNames.QUEUE_CONTROLS), h.driver.getKeyValueStore(StoreNames.QUEUE_SHARES),
                h.driver.getKeyValueStore(StoreNames.QUEUE_META));

        // then h-1 and i-1 are at the gateway (a class's lead counts its own and more urgent jobs); the rest
        // waits, per class and account, with shares and the pause
        assertThat(summary.lead()).isEqualTo(1);
        assertThat(summary.handedOn()).isEqualTo(2);
        assertThat(summary.waiting()).isEqualTo(7);
        assertThat(summary.classes()).extracting(QueueSummary.ClassQueue::priority, QueueSummary.ClassQueue::waiting)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("INTERACTIVE", 1L),
                        org.assertj.core.groups.Tuple.tuple("NORMAL", 0L), org.assertj.core.groups.Tuple.tuple("BULK", 6L));
        final List<QueueSummary.AccountQueue> bulk = summary.classes().get(2).accounts();
        assertThat(bulk).extracting(QueueSummary.AccountQueue::accountId).containsExactly("heavy", "light");
        assertThat(bulk.get(0).share()).isEqualTo(0.75);
        assertThat(bulk.get(0).capCalls()).isEqualTo(10);
        assertThat(bulk.get(1).batches()).singleElement().satisfies(b -> {
            assertThat(b.batchId()).isEqualTo("lb");
            assertThat(b.paused()).isTrue();
        });
        assertThat(summary.waitingAbove(Priority.BULK)).isEqualTo(1);
        assertThat(summary.controls()).singleElement().satisfies(c -> {
            assertThat(c.scope()).isEqualTo("BATCH");
            assertThat(c.commandId()).isEqualTo("p1");
        });
    }
}
