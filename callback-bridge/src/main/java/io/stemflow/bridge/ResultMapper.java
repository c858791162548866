package io.stemflow.bridge;

import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemUrl;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns an authenticated callback into the {@code SeparationResult} of {@code separation-results}:
 * keyed (by the caller) and identified by the requestId of the callback URL, with the provider's task
 * id, code and message, the produced stems, {@code source = CALLBACK} and {@code receivedAt} from the
 * clock (truncated to milliseconds, the precision of the Avro field).
 */
public final class ResultMapper {

    private final Clock clock;

    public ResultMapper(final Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public SeparationResult toResult(final String requestId, final ProviderCallback callback) {
        final List<StemUrl> stems = new ArrayList<>(callback.stems().size());
        for (final Map.Entry<Stem, String> stem : callback.stems().entrySet()) {
            stems.add(new StemUrl(stem.getKey(), stem.getValue()));
        }
        return SeparationResult.newBuilder()
                .setRequestId(requestId)
                .setProviderTaskId(callback.taskId())
                .setCode(callback.code())
                .setMessage(callback.message())
                .setStems(stems)
                .setOriginUrl(callback.originUrl())
                .setSource(ResultSource.CALLBACK)
                .setReceivedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS))
                .build();
    }
}
