package io.stemflow.pipeline.topology;

import io.stemflow.schemas.FieldLimits;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import io.stemflow.schemas.TopicNames;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Arbitrary runs that mix every kind of bad record on every input with valid jobs, grants and
 * results: the topology never throws, every valid job reaches exactly one terminal state (the one
 * its result says), each completed job's stems come out once, and the ledger balances. Bad records
 * on the inputs other teams produce to are decided by the input screens, never by the processing
 * exception handler: only the bad records on internal topics may reach it.
 */
class PoisonRecordsPropertyTest {

    private static final int JOBS = 4;
    private static final List<String> ACCOUNTS = List.of("acct-a", "acct-b");
    private static final List<String> EXTERNAL = List.of(TopicNames.REQUESTS, TopicNames.SUBMISSIONS,
            TopicNames.RESULTS, TopicNames.CREDIT_GRANTS);
    private static final List<String> INTERNAL = List.of(TopicNames.JOB_DECISIONS, TopicNames.CREDIT_COMMANDS);
    private static final int POISON_KINDS = 10;

    /** A step: advance valid job {@code job} one phase, grant credits, or produce bad record {@code kind}. */
    record Step(int action, int job, int kind, int topic) {
    }

    @Provide
    Arbitrary<List<Step>> runs() {
        final Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, JOBS - 1),
                Arbitraries.integers().between(0, POISON_KINDS - 1),
                Arbitraries.integers().between(0, EXTERNAL.size() + INTERNAL.size() - 1)).as(Step::new);
        return step.list().ofMinSize(10).ofMaxSize(50);
    }

    @Property(tries = 40)
    void shouldEndEveryValidJobOnceAndKeepTheLedgerWhateverBadRecordsAreMixedIn(
            @ForAll("runs") final List<Step> run) {
        try (TopologyHarness h = TopologyHarness.withDefaults()) {
            final int[] phase = new int[JOBS];
            final Map<String, String> tasks = new HashMap<>();
            final Map<String, Long> granted = new HashMap<>();
            int internalPoison = 0;
            int grants = 0;

            // when
            for (final Step s : run) {
                if (s.action() <= 4) {
                    advance(h, s.job(), phase, tasks);
                } else if (s.action() == 5) {
                    final String account = ACCOUNTS.get(s.job() % ACCOUNTS.size());
                    h.grant("g" + grants++, account, 100);
                    granted.merge(account, 100L, Long::sum);
                } else {
                    final int t = s.topic();
                    if (t < EXTERNAL.size()) {
                        poison(h, EXTERNAL.get(t), s.kind(), id(s.job()), tasks);
                    } else {
                        h.raw(INTERNAL.get(t - EXTERNAL.size())).pipeInput(bytes(id(s.job())), (byte[]) null);
                        internalPoison++;
                    }
                }
            }
            for (int j = 0; j < JOBS; j++) {
                while (phase[j] < 3) {
                    advance(h, j, phase, tasks);
                }
            }

            // then every valid job ended once, as its result said
            final List<JobStatus> statuses = TopologyHarness.values(h.status);
            final List<StemReady> stems = TopologyHarness.values(h.stems);
            final Map<String, Long> spent = new HashMap<>();
            for (int j = 0; j < JOBS; j++) {
                final String id = id(j);
                final JobState expected = succeeds(j) ? JobState.COMPLETED : JobState.FAILED;
                assertThat(statuses.stream().filter(st -> st.getRequestId().equals(id)
                        && (st.getState() == JobState.COMPLETED || st.getState() == JobState.FAILED)
                        && st.getState() != st.getPreviousState()))
                        .as("terminal transitions of %s", id)
                        .singleElement().satisfies(st -> assertThat(st.getState()).isEqualTo(expected));
                assertThat(stems.stream().filter(st -> st.getRequestId().equals(id)))
                        .as("stems of %s", id).hasSize(succeeds(j) ? 2 : 0);
                if (succeeds(j)) {
                    spent.merge(account(j), 10L, Long::sum);
                }
            }
            // the ledger: nothing left reserved, exactly the completed jobs captured, the valid grants added
            final List<LedgerEntry> ledger = TopologyHarness.values(h.ledger);
            for (final String account : ACCOUNTS) {
                final AccountState state = h.account(account);
                if (state == null) {
                    assertThat(spent.getOrDefault(account, 0L) + granted.getOrDefault(account, 0L)).isZero();
                    continue;
                }
                assertThat(state.reserved()).as("reserved of %s", account).isZero();
                assertThat(state.spent()).as("spent of %s", account).isEqualTo(spent.getOrDefault(account, 0L));
                assertThat(state.granted()).as("granted to %s", account)
                        .isEqualTo(granted.getOrDefault(account, 0L));
                assertThat(ledger.stream().filter(e -> e.getAccountId().equals(account)
                        && e.getKind() == LedgerEntryKind.CAPTURE)).hasSize((int) (spent.getOrDefault(account, 0L) / 10));
            }
            // and only bad records on internal topics reached the processing exception handler
            assertThat(h.metrics.total(Event.PROCESSING_ERROR)).isEqualTo(internalPoison);
        }
    }

    /** Moves valid job {@code j} one phase on: request, provider accepts, result. */
    private static void advance(final TopologyHarness h, final int j, final int[] phase, final Map<String, String> tasks) {
        final String id = id(j);
        switch (phase[j]) {
            case 0 -> h.submit(TopologyHarness.request(id, account(j), SeparationType.SEPARATE_VOCAL));
            case 1 -> tasks.put(id, h.accept(id, 1));
            case 2 -> {
                if (succeeds(j)) {
                    h.succeed(id, tasks.get(id), Stem.VOCALS, Stem.INSTRUMENTAL);
                } else {
                    h.failResult(id, tasks.get(id), 451);
                }
            }
            default -> {
                return;
            }
        }
        phase[j]++;
    }

    /** One bad record of {@code kind} on {@code topic}, aimed at valid job {@code target}. */
    private static void poison(final TopologyHarness h, final String topic, final int kind, final String target,
                               final Map<String, String> tasks) {
        final byte[] key = bytes(target);
        switch (kind) {
            case 0 -> h.raw(topic).pipeInput(key, (byte[]) null);
            case 1 -> h.raw(topic).pipeInput(key, "not avro".getBytes(StandardCharsets.UTF_8));
            case 2 -> h.raw(topic).pipeInput(key, new byte[0]);
            case 3 -> h.raw(topic).pipeInput(key, new byte[] {0, 0, 0, 0x27, 0x0F, 2, 'a'});
            case 4 -> h.raw(topic).pipeInput(key, h.bytes(h.topics.status(), JobStatus.newBuilder()
                    .setRequestId(target).setAccountId("acct-a").setAttempt(1).setState(JobState.COMPLETED)
                    .setPreviousState(JobState.SUBMITTED).setAt(TopologyHarness.T0).build()));
            default -> wellFormedButWrong(h, topic, kind, target, tasks);
        }
    }

    /** Records that decode but must not be used as they are: null or wrong keys, oversized, unknown symbols. */
    private static void wellFormedButWrong(final TopologyHarness h, final String topic, final int kind,
                                           final String target, final Map<String, String> tasks) {
        final String key = switch (kind) {
            case 5 -> null;
            case 6 -> "someone-else";
            default -> target;
        };
        final String big = "x".repeat(FieldLimits.MAX_TEXT_LENGTH + 1);
        final String task = tasks.getOrDefault(target, "no-task");
        switch (topic) {
            case TopicNames.REQUESTS -> {
                // a keyless or mis-keyed request must name a job of its own: the job ids are the valid jobs'
                final SeparationRequest r = TopologyHarness.request(kind == 5 ? "" : target, "acct-a",
                        kind == 8 ? SeparationType.UNKNOWN : SeparationType.SPLIT_STEM);
                h.requests.pipeInput(key, kind == 7 ? SeparationRequest.newBuilder(r).setLabels(Map.of("n", big)).build()
                        : kind == 9 ? SeparationRequest.newBuilder(r).setRequestId(big).build() : r);
            }
            case TopicNames.SUBMISSIONS -> h.submissions.pipeInput(key, new SubmissionOutcome(target, 1,
                    kind == 8 || kind == 9 ? SubmissionStatus.UNKNOWN : SubmissionStatus.ACCEPTED,
                    kind == 7 ? big : "forged", 200, null, 1, TopologyHarness.T0));
            case TopicNames.RESULTS -> h.results.pipeInput(key, new SeparationResult(target,
                    kind == 7 ? big : kind >= 8 ? "forged-task" : task, 200, null, List.of(), null,
                    kind == 8 ? ResultSource.UNKNOWN : ResultSource.CALLBACK, TopologyHarness.T0));
            default -> h.grants.pipeInput(key, new CreditGrant(kind == 8 ? "" : "bad-grant-" + kind,
                    kind == 9 ? "acct-a" : "acct-b", kind == 7 ? -5L : 0L, kind == 6 ? big : null, TopologyHarness.T0));
        }
    }

    private static boolean succeeds(final int j) {
        return j % 2 == 0;
    }

    private static String id(final int j) {
        return "job-" + j;
    }

    private static String account(final int j) {
        return ACCOUNTS.get(j % ACCOUNTS.size());
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
