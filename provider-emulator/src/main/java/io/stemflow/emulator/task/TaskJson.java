package io.stemflow.emulator.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemflow.emulator.CallbackInfoKey;
import io.stemflow.emulator.RecordInfoTimeFormat;
import io.stemflow.emulator.Stem;
import io.stemflow.emulator.audio.WavTone;
import java.time.Instant;
import java.util.List;

/**
 * Renders the provider's JSON shapes (see {@code docs/provider-contract/examples}): the envelope, the generate
 * answer, the callback body and record-info's {@code data}. Callback and record-info are rendered from the same
 * {@link EmulatedTask}, so what record-info reports is what the callback carried.
 */
public final class TaskJson {

    /** The callback {@code msg} of a successful task. */
    public static final String SUCCESS_MESSAGE = "vocal separation completed";
    /** record-info's {@code errorMessage} for {@link SuccessFlag#CALLBACK_EXCEPTION}. */
    public static final String CALLBACK_EXCEPTION_MESSAGE = "callback could not be delivered";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** record-info's {@code response} URL keys in the provider's order; {@code pianoUrl} is never produced. */
    private static final List<String> RESPONSE_KEYS = List.of("instrumentalUrl", "vocalUrl", "backingVocalsUrl",
            "drumsUrl", "bassUrl", "guitarUrl", "pianoUrl", "keyboardUrl", "percussionUrl", "stringsUrl", "synthUrl",
            "fxUrl", "brassUrl", "woodwindsUrl");

    private final StemLinks links;
    private final CallbackInfoKey infoKey;
    private final RecordInfoTimeFormat timeFormat;

    public TaskJson(final StemLinks links, final CallbackInfoKey infoKey, final RecordInfoTimeFormat timeFormat) {
        this.links = links;
        this.infoKey = infoKey;
        this.timeFormat = timeFormat;
    }

    /** {@code {"code": code, "msg": msg, "data": data}}. */
    public static ObjectNode envelope(final int code, final String msg, final JsonNode data) {
        final ObjectNode root = NODES.objectNode();
        root.put("code", code);
        root.put("msg", msg);
        root.set("data", data == null ? NODES.nullNode() : data);
        return root;
    }

    /** The generate answer's {@code data}: {@code {"taskId": id}}. */
    public static ObjectNode accepted(final String taskId) {
        return NODES.objectNode().put("taskId", taskId);
    }

    /** The full callback body for a completed task. */
    public ObjectNode callback(final EmulatedTask task) {
        final ObjectNode data = NODES.objectNode().put("task_id", task.id());
        final TaskOutcome outcome = task.plan().outcome();
        if (outcome instanceof TaskOutcome.Succeeded success) {
            final ObjectNode info = data.putObject(infoKey.jsonKey());
            info.put("origin_url", "");
            for (final Stem stem : success.produced()) {
                info.put(stem.callbackKey(), links.url(task.plan().fileToken(), stem));
            }
            for (final Stem stem : success.reportedNull()) {
                info.putNull(stem.callbackKey());
            }
            return envelope(200, SUCCESS_MESSAGE, data);
        }
        final TaskOutcome.Failed failed = (TaskOutcome.Failed) outcome;
        if (failed.code() != 500) {
            // the provider's 451 example names the info object as null; its 500 example leaves it out
            data.putNull(infoKey.jsonKey());
        }
        return envelope(failed.code(), failed.message(), data);
    }

    /**
     * record-info's {@code data} for {@code task} as seen at {@code now}, its stem URLs under {@code fileToken}
     * (the original token, or a fresh one once the original links expired early). {@code originData[].id} stays
     * that of the original token: the files are the same, only their links change.
     */
    public ObjectNode recordInfo(final EmulatedTask task, final Instant now, final String fileToken) {
        final SuccessFlag flag = task.successFlag(now);
        final ObjectNode data = NODES.objectNode();
        data.put("taskId", task.id());
        data.put("musicId", task.request().audioId());
        data.put("callbackUrl", task.request().callbackUrl());
        data.put("musicIndex", 0);
        data.set("createTime", time(task.createdAt()));
        data.set("completeTime", flag == SuccessFlag.PENDING ? NODES.nullNode() : time(task.completeAt()));
        data.put("successFlag", flag.name());
        if (flag == SuccessFlag.CREATE_TASK_FAILED || flag == SuccessFlag.GENERATE_AUDIO_FAILED) {
            final TaskOutcome.Failed failed = (TaskOutcome.Failed) task.plan().outcome();
            data.put("errorCode", failed.code());
            data.put("errorMessage", failed.message());
        } else {
            data.putNull("errorCode");
            if (flag == SuccessFlag.CALLBACK_EXCEPTION) {
                data.put("errorMessage", CALLBACK_EXCEPTION_MESSAGE);
            } else {
                data.putNull("errorMessage");
            }
        }
        if (flag == SuccessFlag.SUCCESS || flag == SuccessFlag.CALLBACK_EXCEPTION) {
            data.set("response", response(task, (TaskOutcome.Succeeded) task.plan().outcome(), fileToken));
        } else {
            data.putNull("response");
        }
        return data;
    }

    private ObjectNode response(final EmulatedTask task, final TaskOutcome.Succeeded success, final String fileToken) {
        final ObjectNode response = NODES.objectNode();
        response.putNull("id");
        response.putNull("originUrl");
        final ArrayNode originData = response.putArray("originData");
        for (final Stem stem : success.produced()) {
            originData.addObject()
                    .put("duration", WavTone.lengthSeconds())
                    .put("audio_url", links.url(fileToken, stem))
                    .put("stem_type_group_name", stem.displayName())
                    .put("id", StemLinks.fileId(task.plan().fileToken(), stem));
        }
        for (final String key : RESPONSE_KEYS) {
            response.putNull(key);
        }
        for (final Stem stem : success.produced()) {
            response.put(stem.recordInfoKey(), links.url(fileToken, stem));
        }
        return response;
    }

    private JsonNode time(final Instant instant) {
        return timeFormat == RecordInfoTimeFormat.EPOCH_MILLIS
                ? NODES.numberNode(instant.toEpochMilli())
                : NODES.textNode(RecordInfoTimeFormat.text(instant));
    }
}
