package io.stemflow.gateway.provider;

import java.net.URI;
import java.util.Objects;

/**
 * The body of a generate call. {@link #toString()} leaves out the callback URL's query: it carries the
 * per-job HMAC token, a capability that must not end up in logs.
 *
 * @param taskId      id of the original music-generation task that owns the audio
 * @param audioId     which audio variation of that task to separate
 * @param type        the provider's mode string: {@code separate_vocal} or {@code split_stem}
 * @param callBackUrl where the provider POSTs the result ({@code {bridge}/callbacks/{requestId}?token=...})
 */
public record GenerateCall(String taskId, String audioId, String type, URI callBackUrl) {

    public GenerateCall {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(audioId, "audioId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(callBackUrl, "callBackUrl");
    }

    @Override
    public String toString() {
        return "GenerateCall[taskId=" + taskId + ", audioId=" + audioId + ", type=" + type + ", callBackUrl="
                + callBackUrl.getScheme() + "://" + callBackUrl.getRawAuthority() + callBackUrl.getRawPath()
                + (callBackUrl.getRawQuery() == null ? "" : "?<token hidden>") + "]";
    }
}
