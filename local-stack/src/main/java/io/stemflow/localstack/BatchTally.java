package io.stemflow.localstack;

import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.JobStates;
import io.stemflow.schemas.ProviderCosts;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the topics have said so far about one demo batch: each job's latest state, the stems delivered, the
 * credits captured per account. Records of other batches are ignored. One thread.
 */
final class BatchTally {

    private final String batchId;
    private final Map<String, SeparationRequest> byId = new LinkedHashMap<>();
    private final Map<String, JobState> latest = new HashMap<>();
    private final Map<Stem, Long> stems = new EnumMap<>(Stem.class);
    private final Map<String, Long> captured = new HashMap<>();

    BatchTally(final String batchId, final List<SeparationRequest> requests) {
        this.batchId = batchId;
        requests.forEach(r -> byId.put(r.getRequestId(), r));
    }

    /** Takes in what was read from the status, stems and credit-ledger topics. */
    void read(final List<JobStatus> statuses, final List<StemReady> delivered, final List<LedgerEntry> journal) {
        for (final JobStatus s : statuses) {
            if (byId.containsKey(s.getRequestId()) && s.getState() != s.getPreviousState()) {
                latest.put(s.getRequestId(), s.getState());
            }
        }
        for (final StemReady s : delivered) {
            if (byId.containsKey(s.getRequestId())) {
                stems.merge(s.getStem(), 1L, Long::sum);
            }
        }
        for (final LedgerEntry e : journal) {
            if (e.getRequestId() != null && byId.containsKey(e.getRequestId())
                    && e.getKind() == LedgerEntryKind.CAPTURE) {
                captured.merge(e.getAccountId(), e.getCredits(), Long::sum);
            }
        }
    }

    String batchId() {
        return batchId;
    }

    int jobs() {
        return byId.size();
    }

    /** Jobs in a terminal state. */
    long ended() {
        return latest.values().stream().filter(JobStates::isTerminal).count();
    }

    /** Every job has been seen in a terminal state. */
    boolean allEnded() {
        return ended() == jobs();
    }

    /** The jobs seen so far, by their latest state. */
    Map<JobState, Long> seenByState() {
        final Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        latest.values().forEach(s -> counts.merge(s, 1L, Long::sum));
        return counts;
    }

    /** Every job by its latest state, REQUESTED for those not seen yet. */
    Map<JobState, Long> byState() {
        final Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        byId.keySet().forEach(id -> counts.merge(latest.getOrDefault(id, JobState.REQUESTED), 1L, Long::sum));
        return counts;
    }

    Map<Stem, Long> stemsByType() {
        return stems;
    }

    long stems() {
        return stems.values().stream().mapToLong(Long::longValue).sum();
    }

    Map<String, Long> capturedByAccount() {
        return new TreeMap<>(captured);
    }

    /** What each account should have spent: the cost of its COMPLETED jobs. */
    Map<String, Long> expectedSpend() {
        final Map<String, Long> expected = new TreeMap<>();
        for (final SeparationRequest r : byId.values()) {
            if (latest.get(r.getRequestId()) == JobState.COMPLETED) {
                expected.merge(r.getAccountId(), ProviderCosts.of(r.getType()), Long::sum);
            }
        }
        return expected;
    }

    /** Whether the credits captured per account are those {@code expected}. */
    boolean captured(final Map<String, Long> expected) {
        return expected.entrySet().stream().allMatch(e -> e.getValue().equals(captured.getOrDefault(e.getKey(), 0L)));
    }
}
