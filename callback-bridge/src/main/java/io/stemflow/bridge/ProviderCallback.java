package io.stemflow.bridge;

import io.stemflow.avro.Stem;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One callback as the provider sent it, after parsing: nothing here is trusted until the token
 * (and, when configured, the signature) were checked.
 *
 * @param code      the body's {@code code}: 200 success, 400, 451, 500 failures
 * @param message   the body's {@code msg}, or null
 * @param taskId    {@code data.task_id}: the provider's id of the separation task
 * @param stems     every stem with a non-empty URL, in {@link io.stemflow.schemas.provider.ProviderVocabulary} order
 * @param originUrl {@code origin_url}, or null when missing, null or empty
 */
public record ProviderCallback(int code, String message, String taskId, Map<Stem, String> stems, String originUrl) {

    public ProviderCallback {
        Objects.requireNonNull(taskId, "taskId");
        stems = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(stems, "stems")));
    }
}
