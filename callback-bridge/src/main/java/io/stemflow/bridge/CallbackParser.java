package io.stemflow.bridge;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stemflow.avro.Stem;
import io.stemflow.schemas.provider.ProviderVocabulary;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the provider's callback body:
 * {@code {"code": int, "msg": string, "data": {"task_id": string, "<info>": {"<stem>_url": ..., "origin_url": ...}}}}
 * where {@code <info>} is {@code vocal_removal_info} or {@code vocal_separation_info}.
 *
 * <p>Lenient where the provider is loose: unknown fields anywhere are ignored, the info object may
 * be missing or null (failure callbacks), a stem URL that is missing, null or blank means the stem
 * was not produced, and an empty {@code origin_url} means none. Strict where a mistake would
 * corrupt the result: {@code code} must be an integer, {@code data.task_id} a non-empty string,
 * every URL a string or null, and duplicate keys or trailing content make the body malformed.
 *
 * <p>Every field that goes into the result is bounded ({@value #MAX_TEXT_CHARS} characters,
 * {@value #MAX_TASK_ID_CHARS} for the task id), so that a result always fits in one Kafka record
 * (1 MiB by default) even when the body is at the body limit: an oversized field is a 400, never a
 * record the broker refuses. Genuine values (ids, signed URLs, short messages) are far below.
 * Thread-safe.
 */
public final class CallbackParser {

    /** The info key of most mirrors. */
    public static final String REMOVAL_INFO = "vocal_removal_info";
    /** The info key of one mirror. */
    public static final String SEPARATION_INFO = "vocal_separation_info";
    /** Longest {@code msg} or URL accepted. */
    public static final int MAX_TEXT_CHARS = 16 * 1024;
    /** Longest {@code data.task_id} accepted. */
    public static final int MAX_TASK_ID_CHARS = 1024;

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * @throws InvalidCallbackException with {@link Outcome#MALFORMED_JSON} when the bytes are not one JSON
     *                                  value, {@link Outcome#INVALID_PAYLOAD} when the JSON is not a callback
     */
    public ProviderCallback parse(final byte[] body) throws InvalidCallbackException {
        final JsonNode root = readTree(body);
        if (root == null || root.isMissingNode()) {
            throw InvalidCallbackException.malformed("The body is empty: expected a JSON object");
        }
        if (!root.isObject()) {
            throw InvalidCallbackException.invalid("The body must be a JSON object, was " + describe(root));
        }
        final int code = code(root.get("code"));
        final String message = optionalText(root.get("msg"), "msg");
        final JsonNode data = root.get("data");
        if (data == null || data.isNull()) {
            throw InvalidCallbackException.invalid("'data.task_id' is required, but 'data' is missing");
        }
        if (!data.isObject()) {
            throw InvalidCallbackException.invalid("'data' must be an object, was " + describe(data));
        }
        final String taskId = taskId(data.get("task_id"));
        final String infoKey = infoKey(data);
        final Map<Stem, String> stems = new LinkedHashMap<>();
        String originUrl = null;
        if (infoKey != null) {
            final JsonNode info = data.get(infoKey);
            final String path = "data." + infoKey;
            for (final Map.Entry<String, Stem> key : ProviderVocabulary.callbackStemKeys().entrySet()) {
                final String url = optionalText(info.get(key.getKey()), path + "." + key.getKey());
                if (url != null && !url.isBlank()) {
                    stems.put(key.getValue(), url);
                }
            }
            final String origin = optionalText(info.get(ProviderVocabulary.CALLBACK_ORIGIN_KEY),
                    path + "." + ProviderVocabulary.CALLBACK_ORIGIN_KEY);
            originUrl = origin == null || origin.isBlank() ? null : origin;
        }
        return new ProviderCallback(code, message, taskId, stems, originUrl);
    }

    private JsonNode readTree(final byte[] body) throws InvalidCallbackException {
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            final JsonLocation at = e.getLocation();
            final String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw InvalidCallbackException.malformed("The body is not valid JSON: " + e.getOriginalMessage() + where);
        } catch (IOException e) {
            throw InvalidCallbackException.malformed("The body could not be read as JSON: " + e.getMessage());
        }
    }

    private static int code(final JsonNode code) throws InvalidCallbackException {
        if (code == null || code.isNull()) {
            throw InvalidCallbackException.invalid("'code' is required (an integer such as 200, 400, 451 or 500)");
        }
        if (!code.isIntegralNumber() || !code.canConvertToInt()) {
            throw InvalidCallbackException.invalid("'code' must be an integer, was " + describe(code));
        }
        return code.intValue();
    }

    private static String taskId(final JsonNode taskId) throws InvalidCallbackException {
        if (taskId == null || taskId.isNull()) {
            throw InvalidCallbackException.invalid("'data.task_id' is required (a non-empty string)");
        }
        if (!taskId.isTextual()) {
            throw InvalidCallbackException.invalid("'data.task_id' must be a string, was " + describe(taskId));
        }
        if (taskId.textValue().isBlank()) {
            throw InvalidCallbackException.invalid("'data.task_id' must not be empty");
        }
        if (taskId.textValue().length() > MAX_TASK_ID_CHARS) {
            throw InvalidCallbackException.invalid("'data.task_id' is longer than " + MAX_TASK_ID_CHARS + " characters");
        }
        return taskId.textValue();
    }

    /** The info key that holds an object, null when neither does; both at once is ambiguous. */
    private static String infoKey(final JsonNode data) throws InvalidCallbackException {
        final boolean removal = present(data, REMOVAL_INFO);
        final boolean separation = present(data, SEPARATION_INFO);
        if (removal && separation) {
            throw InvalidCallbackException.invalid("'data' holds both '" + REMOVAL_INFO + "' and '" + SEPARATION_INFO
                    + "': a callback carries one of them");
        }
        return removal ? REMOVAL_INFO : separation ? SEPARATION_INFO : null;
    }

    private static boolean present(final JsonNode data, final String key) throws InvalidCallbackException {
        final JsonNode info = data.get(key);
        if (info == null || info.isNull()) {
            return false;
        }
        if (!info.isObject()) {
            throw InvalidCallbackException.invalid("'data." + key + "' must be an object or null, was " + describe(info));
        }
        return true;
    }

    private static String optionalText(final JsonNode node, final String path) throws InvalidCallbackException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw InvalidCallbackException.invalid("'" + path + "' must be a string or null, was " + describe(node));
        }
        if (node.textValue().length() > MAX_TEXT_CHARS) {
            throw InvalidCallbackException.invalid("'" + path + "' is longer than " + MAX_TEXT_CHARS + " characters");
        }
        return node.textValue();
    }

    private static String describe(final JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case BOOLEAN -> "a boolean";
            case NUMBER -> !node.isIntegralNumber() ? "a decimal number"
                    : node.canConvertToInt() ? "an integer" : "an integer out of range";
            case STRING -> "a string";
            case NULL -> "null";
            case BINARY -> "binary";
            case MISSING -> "missing";
        };
    }
}
