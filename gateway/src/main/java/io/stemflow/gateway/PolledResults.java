package io.stemflow.gateway;

import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.StemUrl;
import io.stemflow.gateway.provider.RecordInfo;
import io.stemflow.gateway.provider.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a finished task read from record-info into the {@link SeparationResult} a callback would have given,
 * marked {@link ResultSource#POLL}: code 200 with the stems for SUCCESS and CALLBACK_EXCEPTION (the provider gave
 * up delivering, the stems are still there), the task's error code (400 for CREATE_TASK_FAILED, 500 for
 * GENERATE_AUDIO_FAILED when the provider gives none) without stems for failures.
 */
final class PolledResults {

    private PolledResults() {
    }

    /** The result of a finished task; empty while it is pending (or in a state this gateway does not know). */
    static Optional<SeparationResult> of(final ReconcileRequest request, final RecordInfo info,
                                         final Instant receivedAt) {
        if (!info.state().finished()) {
            return Optional.empty();
        }
        final List<StemUrl> stems = new ArrayList<>();
        final int code;
        if (info.state().succeeded()) {
            info.stems().forEach((stem, url) -> stems.add(new StemUrl(stem, url)));
            code = 200;
        } else {
            code = info.errorCode().orElse(info.state() == TaskState.CREATE_TASK_FAILED ? 400 : 500);
        }
        return Optional.of(SeparationResult.newBuilder()
                .setRequestId(request.getRequestId())
                .setProviderTaskId(request.getProviderTaskId())
                .setCode(code)
                .setMessage(info.errorMessage().orElse(info.state().succeeded() ? "polled: " + info.rawFlag() : null))
                .setStems(stems)
                .setOriginUrl(info.originUrl().orElse(null))
                .setSource(ResultSource.POLL)
                .setReceivedAt(receivedAt)
                .build());
    }
}
