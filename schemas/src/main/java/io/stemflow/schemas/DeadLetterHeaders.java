package io.stemflow.schemas;

import io.stemflow.avro.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers every dead letter on {@code separation-dlq} carries, repeating its reason, so tools that
 * do not decode Avro (kcat, a console consumer) still see why a record is there. Part of the contract:
 * the topology and the gateway write them, teams filter on them (docs/integration.md section 8).
 */
public final class DeadLetterHeaders {

    public static final String KIND = "stemflow.dlq.kind";
    public static final String REASON = "stemflow.dlq.reason";
    public static final String CODE = "stemflow.dlq.code";
    public static final String SOURCE_TOPIC = "stemflow.dlq.source.topic";
    public static final String SOURCE_PARTITION = "stemflow.dlq.source.partition";
    public static final String SOURCE_OFFSET = "stemflow.dlq.source.offset";
    public static final String ERROR_CLASS = "stemflow.dlq.error.class";

    private DeadLetterHeaders() {
    }

    /** Headers of a dead letter: kind, reason, code, and where the record came from when known. */
    public static Headers headersOf(final DeadLetter d) {
        final RecordHeaders h = new RecordHeaders();
        put(h, KIND, d.getKind().name());
        put(h, REASON, d.getReason());
        if (d.getCode() != null) {
            put(h, CODE, d.getCode().toString());
        }
        put(h, SOURCE_TOPIC, d.getSourceTopic());
        if (d.getSourcePartition() != null) {
            put(h, SOURCE_PARTITION, d.getSourcePartition().toString());
        }
        if (d.getSourceOffset() != null) {
            put(h, SOURCE_OFFSET, d.getSourceOffset().toString());
        }
        if (d.getErrorClass() != null) {
            put(h, ERROR_CLASS, d.getErrorClass());
        }
        return h;
    }

    private static void put(final RecordHeaders h, final String key, final String value) {
        if (value != null) {
            h.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
