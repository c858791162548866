package io.stemflow.registry.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.store.RegistryEvent.CompatibilityCleared;
import io.stemflow.registry.store.RegistryEvent.CompatibilitySet;
import io.stemflow.registry.store.RegistryEvent.IdWatermark;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionRemoved;
import io.stemflow.registry.store.RegistryEvent.SchemaVersionWritten;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns events into compacted-topic records and back. Keys and values are JSON; keys are written field by
 * field in a fixed order, so that equal keys are equal bytes (which compaction compares):
 *
 * <pre>
 * {"magic":1,"keytype":"SCHEMA","subject":"s","version":1} -> {"subject":"s","version":1,"id":7,"schema":"...","deleted":false}
 *                                                          -> null (permanently deleted)
 * {"magic":1,"keytype":"CONFIG","subject":"s"}             -> {"compatibilityLevel":"FULL"} or null (cleared)
 * {"magic":1,"keytype":"CONFIG","subject":null}            -> {"compatibilityLevel":"FULL"} (global)
 * {"magic":1,"keytype":"ID_WATERMARK"}                     -> {"maxId":7}
 * </pre>
 */
public final class EventCodec {

    /** A record's key and value bytes; {@code value} is null for a tombstone. */
    public record Encoded(byte[] key, byte[] value) {
    }

    private static final int MAGIC = 1;
    private static final String SCHEMA = "SCHEMA";
    private static final String CONFIG = "CONFIG";
    private static final String ID_WATERMARK = "ID_WATERMARK";

    private final ObjectMapper mapper = new ObjectMapper();

    public Encoded encode(final RegistryEvent event) {
        if (event instanceof SchemaVersionWritten written) {
            return new Encoded(schemaKey(written.subject(), written.version()), bytes(mapper.createObjectNode()
                    .put("subject", written.subject())
                    .put("version", written.version())
                    .put("id", written.id())
                    .put("schema", written.schema())
                    .put("deleted", written.deleted())));
        }
        if (event instanceof SchemaVersionRemoved removed) {
            return new Encoded(schemaKey(removed.subject(), removed.version()), null);
        }
        if (event instanceof CompatibilitySet set) {
            return new Encoded(configKey(set.subject()),
                    bytes(mapper.createObjectNode().put("compatibilityLevel", set.level().name())));
        }
        if (event instanceof CompatibilityCleared cleared) {
            return new Encoded(configKey(cleared.subject()), null);
        }
        if (event instanceof IdWatermark watermark) {
            return new Encoded(bytes(key(ID_WATERMARK)), bytes(mapper.createObjectNode().put("maxId", watermark.maxId())));
        }
        throw new IllegalArgumentException("Unknown registry event " + event);
    }

    /**
     * Decodes one record; empty for key types this version does not know (written by a newer registry)
     * and for tombstones that carry no meaning.
     *
     * @throws IllegalArgumentException when the record is not valid JSON of the expected shape
     */
    public Optional<RegistryEvent> decode(final byte[] key, final byte[] value) {
        try {
            final JsonNode k = mapper.readTree(key);
            final String type = k.path("keytype").asText();
            final JsonNode v = value == null ? null : mapper.readTree(value);
            switch (type) {
                case SCHEMA -> {
                    final String subject = required(k, "subject").asText();
                    final int version = required(k, "version").asInt();
                    return Optional.of(v == null ? new SchemaVersionRemoved(subject, version)
                            : new SchemaVersionWritten(subject, version, required(v, "id").asInt(),
                                    required(v, "schema").asText(), v.path("deleted").asBoolean(false)));
                }
                case CONFIG -> {
                    final JsonNode subjectNode = k.get("subject");
                    final String subject = subjectNode == null || subjectNode.isNull() ? null : subjectNode.asText();
                    if (v == null) {
                        return subject == null ? Optional.empty() : Optional.of(new CompatibilityCleared(subject));
                    }
                    final String level = required(v, "compatibilityLevel").asText();
                    return Optional.of(new CompatibilitySet(subject, CompatibilityLevel.parse(level).orElseThrow(
                            () -> new IllegalArgumentException("unknown compatibility level '" + level + "'"))));
                }
                case ID_WATERMARK -> {
                    return v == null ? Optional.empty() : Optional.of(new IdWatermark(required(v, "maxId").asInt()));
                }
                default -> {
                    return Optional.empty();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a registry record: " + e.getMessage(), e);
        }
    }

    private byte[] schemaKey(final String subject, final int version) {
        return bytes(key(SCHEMA).put("subject", subject).put("version", version));
    }

    private byte[] configKey(final String subject) {
        return bytes(key(CONFIG).put("subject", subject));
    }

    private ObjectNode key(final String type) {
        return mapper.createObjectNode().put("magic", MAGIC).put("keytype", type);
    }

    private byte[] bytes(final ObjectNode node) {
        try {
            return mapper.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write registry record " + node, e);
        }
    }

    private static JsonNode required(final JsonNode node, final String field) {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "' in " + node);
        }
        return value;
    }
}
