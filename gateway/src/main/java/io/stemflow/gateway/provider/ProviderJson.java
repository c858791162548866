package io.stemflow.gateway.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.Stem;
import io.stemflow.schemas.provider.ProviderVocabulary;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Reads the provider's answers: the envelope {@code {"code","msg","data"}} (the code may be in the body of an
 * HTTP 200 or only in the HTTP status), generate's task id, the credit balance and record-info, whose times come
 * as epoch milliseconds or as strings.
 */
final class ProviderJson {

    /** Epoch values below this are seconds, not milliseconds (1e11 ms is in 1973, 1e11 s in year 5138). */
    private static final long EPOCH_SECONDS_BELOW = 100_000_000_000L;
    private static final int MAX_MESSAGE = 300;
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final ObjectMapper mapper;

    ProviderJson(final ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Turns an HTTP answer into a reply; {@code data} reads the envelope's {@code data} of a code-200 answer and
     * returns empty when it does not have the expected shape.
     */
    <T> ProviderReply<T> reply(final Endpoint endpoint, final int httpStatus, final byte[] body,
                               final Function<JsonNode, Optional<T>> data) {
        final JsonNode root = tree(body);
        final OptionalInt bodyCode = root == null ? OptionalInt.empty() : intValue(root.get("code"));
        final String msg = root == null ? null : message(root);
        final boolean httpOk = httpStatus >= 200 && httpStatus < 300;
        if (httpOk) {
            if (bodyCode.isEmpty()) {
                return new ProviderReply.Unreachable<>(ProviderReply.Failure.MALFORMED,
                        endpoint.label() + " answered HTTP " + httpStatus + " without the provider's code");
            }
            if (bodyCode.getAsInt() != 200) {
                return new ProviderReply.Refused<>(bodyCode.getAsInt(), orElse(msg, "code " + bodyCode.getAsInt()),
                        httpStatus);
            }
            final Optional<T> value = data.apply(root.get("data"));
            if (value.isEmpty()) {
                return new ProviderReply.Unreachable<>(ProviderReply.Failure.MALFORMED,
                        endpoint.label() + " answered code 200 without the expected data");
            }
            return new ProviderReply.Ok<>(value.get(), orElse(msg, "success"));
        }
        // the HTTP status carries the code; a body code other than 200 is the provider's own and wins
        final int code = bodyCode.isPresent() && bodyCode.getAsInt() != 200 ? bodyCode.getAsInt() : httpStatus;
        return new ProviderReply.Refused<>(code, orElse(msg, "HTTP " + httpStatus), httpStatus);
    }

    static Optional<String> taskId(final JsonNode data) {
        if (data == null || !data.isObject()) {
            return Optional.empty();
        }
        return text(data.get("taskId")).or(() -> text(data.get("task_id")));
    }

    static Optional<Long> credits(final JsonNode data) {
        final OptionalLong value = longValue(data);
        return value.isPresent() ? Optional.of(value.getAsLong()) : Optional.empty();
    }

    static Optional<RecordInfo> recordInfo(final JsonNode data) {
        if (data == null || !data.isObject()) {
            return Optional.empty();
        }
        final Optional<String> taskId = text(data.get("taskId")).or(() -> text(data.get("task_id")));
        if (taskId.isEmpty()) {
            return Optional.empty();
        }
        final String rawFlag = text(data.get("successFlag")).orElse("");
        final JsonNode response = data.get("response");
        final Map<Stem, String> stems = new LinkedHashMap<>();
        Optional<String> origin = Optional.empty();
        if (response != null && response.isObject()) {
            for (final Map.Entry<String, Stem> key : ProviderVocabulary.recordInfoStemKeys().entrySet()) {
                text(response.get(key.getKey())).ifPresent(url -> stems.putIfAbsent(key.getValue(), url));
            }
            origin = text(response.get(ProviderVocabulary.RECORD_INFO_ORIGIN_KEY));
        }
        return Optional.of(new RecordInfo(taskId.get(), TaskState.parse(rawFlag), rawFlag,
                intValue(data.get("errorCode")), text(data.get("errorMessage")), stems, origin,
                time(data.get("createTime")), time(data.get("completeTime"))));
    }

    /** A time given as epoch millis (or seconds), a numeric string, {@code yyyy-MM-dd HH:mm:ss} (UTC) or ISO-8601. */
    static Optional<Instant> time(final JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isNumber()) {
            return Optional.of(epoch(node.asLong()));
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            return Optional.empty();
        }
        final String text = node.asText().trim();
        if (text.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(epoch(Long.parseLong(text)));
            } catch (NumberFormatException tooLong) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(LocalDateTime.parse(text, SPACED).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException notSpaced) {
            // try the ISO forms below
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException notOffset) {
            // try a local ISO time
        }
        try {
            return Optional.of(LocalDateTime.parse(text).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException unknown) {
            return Optional.empty();
        }
    }

    private static Instant epoch(final long value) {
        return value < EPOCH_SECONDS_BELOW ? Instant.ofEpochSecond(value) : Instant.ofEpochMilli(value);
    }

    private JsonNode tree(final byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            final JsonNode root = mapper.readTree(body);
            return root != null && root.isObject() ? root : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String message(final JsonNode root) {
        final Optional<String> msg = text(root.get("msg")).or(() -> text(root.get("message")));
        return msg.map(m -> m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m).orElse(null);
    }

    private static Optional<String> text(final JsonNode node) {
        if (node == null || node.isNull() || !node.isValueNode()) {
            return Optional.empty();
        }
        final String text = node.asText();
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    private static OptionalInt intValue(final JsonNode node) {
        final OptionalLong value = longValue(node);
        if (value.isEmpty() || value.getAsLong() > Integer.MAX_VALUE || value.getAsLong() < Integer.MIN_VALUE) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) value.getAsLong());
    }

    private static OptionalLong longValue(final JsonNode node) {
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        if (node.isIntegralNumber()) {
            return OptionalLong.of(node.asLong());
        }
        if (node.isNumber()) {
            return OptionalLong.of((long) node.asDouble());
        }
        if (node.isTextual()) {
            try {
                return OptionalLong.of(Long.parseLong(node.asText().trim()));
            } catch (NumberFormatException notNumber) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    private static String orElse(final String value, final String fallback) {
        return value == null ? fallback : value;
    }
}
