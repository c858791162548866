package io.stemflow.gateway.provider;

import io.stemflow.avro.Stem;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A task as record-info reports it.
 *
 * @param taskId       the provider's task id
 * @param state        the parsed {@code successFlag}
 * @param rawFlag      the {@code successFlag} as sent (for logs when it is {@link TaskState#UNKNOWN})
 * @param errorCode    {@code errorCode} of a failed task
 * @param errorMessage {@code errorMessage} of a failed task (or of {@code CALLBACK_EXCEPTION})
 * @param stems        stems with a non-empty URL, in the provider's key order
 * @param originUrl    {@code response.originUrl} when non-empty
 * @param createTime   {@code createTime}, epoch millis or a string in the answer
 * @param completeTime {@code completeTime}, empty while pending
 */
public record RecordInfo(String taskId, TaskState state, String rawFlag, OptionalInt errorCode,
                         Optional<String> errorMessage, Map<Stem, String> stems, Optional<String> originUrl,
                         Optional<Instant> createTime, Optional<Instant> completeTime) {

    public RecordInfo {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(errorMessage, "errorMessage");
        stems = Collections.unmodifiableMap(new LinkedHashMap<>(stems));
        Objects.requireNonNull(originUrl, "originUrl");
        Objects.requireNonNull(createTime, "createTime");
        Objects.requireNonNull(completeTime, "completeTime");
    }
}
