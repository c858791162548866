package io.stemflow.pipeline.query;

import io.stemflow.avro.JobState;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.pipeline.topology.AccountState;
import io.stemflow.pipeline.topology.JobRecord;
import io.stemflow.pipeline.topology.StatusEntry;
import io.stemflow.pipeline.topology.StemEntry;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test values of the topology's records. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    static final String VIEWER_TOKEN = "query-viewer-token-0123456789";
    static final String OPERATOR_TOKEN = "query-operator-token-0123456789";

    /** The tokens every test instance accepts (a viewer's and an operator's), as a service reads them. */
    static HttpAccess access() {
        return HttpAccess.tokens(AccessTokens.of(Map.of(Role.VIEWER, List.of(VIEWER_TOKEN),
                Role.OPERATOR, List.of(OPERATOR_TOKEN))));
    }

    private Fixtures() {
    }

    /** A job admitted then completed with two stems. */
    static JobRecord completedJob(final String requestId) {
        final long t = T0.toEpochMilli();
        return new JobRecord(requestId, "acct-1", "batch-1", "task-1", "audio-1", SeparationType.SEPARATE_VOCAL,
                t, 1, null, Map.of("artist", "x"), JobState.COMPLETED, 10, "prov-9", t + 2_000, 0, 0, null,
                List.of(new StemEntry(Stem.VOCALS, "https://files.example/v.mp3"),
                        new StemEntry(Stem.INSTRUMENTAL, "https://files.example/i.mp3")),
                t + 60_000,
                List.of(new StatusEntry(JobState.REQUESTED, null, null, null, null, 1, t),
                        new StatusEntry(JobState.ADMITTED, JobState.REQUESTED, null, null, null, 1, t + 1_000),
                        new StatusEntry(JobState.SUBMITTED, JobState.ADMITTED, null, 200, "prov-9", 1, t + 2_000),
                        new StatusEntry(JobState.COMPLETED, JobState.SUBMITTED, "callback", 200, "prov-9", 1,
                                t + 60_000)), Priority.NORMAL);
    }

    static JobRecord requestedJob(final String requestId, final String accountId) {
        final long t = T0.toEpochMilli();
        return new JobRecord(requestId, accountId, null, "task-2", "audio-2", SeparationType.SPLIT_STEM, t, 1, null,
                Map.of(), JobState.REQUESTED, 50, null, 0, 0, 0, null, List.of(), 0,
                List.of(new StatusEntry(JobState.REQUESTED, null, null, null, null, 1, t)), Priority.BULK);
    }

    static AccountState account(final String accountId, final long granted, final long reserved, final long spent,
                                final long queued) {
        return new AccountState(accountId, granted, granted - reserved - spent, reserved, spent, granted > 0, queued,
                queued, T0.toEpochMilli());
    }

    /** A port nothing listens on right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
