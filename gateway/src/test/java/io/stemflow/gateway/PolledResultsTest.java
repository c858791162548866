package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemUrl;
import io.stemflow.gateway.provider.RecordInfo;
import io.stemflow.gateway.provider.TaskState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** record-info as a callback would have said it, marked POLL. */
class PolledResultsTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
    private static final ReconcileRequest REQUEST = ReconcileRequest.newBuilder().setRequestId("req-1").setAttempt(1)
            .setProviderTaskId("task-1").setReconciliation(1).setSubmittedAt(NOW).setRequestedAt(NOW).build();

    @Test
    void shouldCarryStemsWhenTaskSucceededEvenIfCallbackFailed() {
        for (final TaskState state : new TaskState[] {TaskState.SUCCESS, TaskState.CALLBACK_EXCEPTION}) {
            // when
            final SeparationResult result = PolledResults.of(REQUEST, info(state, OptionalInt.empty()), NOW)
                    .orElseThrow();

            // then
            assertThat(result.getCode()).isEqualTo(200);
            assertThat(result.getSource()).isEqualTo(ResultSource.POLL);
            assertThat(result.getRequestId()).isEqualTo("req-1");
            assertThat(result.getProviderTaskId()).isEqualTo("task-1");
            assertThat(result.getReceivedAt()).isEqualTo(NOW);
            assertThat(result.getStems()).extracting(StemUrl::getStem).containsExactly(Stem.VOCALS, Stem.INSTRUMENTAL);
        }
    }

    @Test
    void shouldCarryErrorCodeWithoutStemsWhenTaskFailed() {
        assertThat(PolledResults.of(REQUEST, info(TaskState.GENERATE_AUDIO_FAILED, OptionalInt.of(451)), NOW))
                .hasValueSatisfying(r -> {
                    assertThat(r.getCode()).isEqualTo(451);
                    assertThat(r.getStems()).isEmpty();
                });
        assertThat(PolledResults.of(REQUEST, info(TaskState.CREATE_TASK_FAILED, OptionalInt.empty()), NOW))
                .hasValueSatisfying(r -> assertThat(r.getCode()).isEqualTo(400));
        assertThat(PolledResults.of(REQUEST, info(TaskState.GENERATE_AUDIO_FAILED, OptionalInt.empty()), NOW))
                .hasValueSatisfying(r -> assertThat(r.getCode()).isEqualTo(500));
    }

    @Test
    void shouldWriteNothingWhenTaskIsPendingOrUnknown() {
        assertThat(PolledResults.of(REQUEST, info(TaskState.PENDING, OptionalInt.empty()), NOW)).isEmpty();
        assertThat(PolledResults.of(REQUEST, info(TaskState.UNKNOWN, OptionalInt.empty()), NOW)).isEmpty();
    }

    private static RecordInfo info(final TaskState state, final OptionalInt errorCode) {
        final Map<Stem, String> stems = new LinkedHashMap<>();
        if (state.succeeded()) {
            stems.put(Stem.VOCALS, "https://files.example/v.mp3");
            stems.put(Stem.INSTRUMENTAL, "https://files.example/i.mp3");
        }
        return new RecordInfo("task-1", state, state.name(), errorCode,
                state.finished() && !state.succeeded() ? Optional.of("failed") : Optional.empty(), stems,
                Optional.empty(), Optional.of(NOW), Optional.empty());
    }
}
