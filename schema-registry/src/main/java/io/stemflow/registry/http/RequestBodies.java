package io.stemflow.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.registry.ErrorCode;
import io.stemflow.registry.RegistryException;
import io.stemflow.compat.CompatibilityLevel;

/** Reads request bodies, turning every malformed one into a {@link RegistryException} (400 or 422). */
final class RequestBodies {

    private final ObjectMapper mapper;

    RequestBodies(final ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The {@code schema} string of a {@code {"schema": "...", "schemaType": "AVRO"}} body. */
    String schema(final String body) {
        final JsonNode node = object(body);
        final JsonNode type = node.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
            throw new RegistryException(ErrorCode.INVALID_SCHEMA,
                    "Invalid schema type '" + type.asText() + "': this registry supports AVRO only");
        }
        final JsonNode references = node.get("references");
        if (references != null && !references.isNull() && !references.isEmpty()) {
            throw new RegistryException(ErrorCode.INVALID_SCHEMA, "Invalid schema: schema references are not supported");
        }
        final JsonNode schema = node.get("schema");
        if (schema == null || !schema.isTextual() || schema.asText().isBlank()) {
            throw new RegistryException(ErrorCode.INVALID_SCHEMA,
                    "Invalid schema: the request body needs a non-empty 'schema' string");
        }
        return schema.asText();
    }

    /** The level of a {@code {"compatibility": "FULL"}} body. */
    CompatibilityLevel compatibility(final String body) {
        final JsonNode level = object(body).get("compatibility");
        return CompatibilityLevel.parse(level == null || !level.isTextual() ? null : level.asText())
                .orElseThrow(() -> new RegistryException(ErrorCode.INVALID_COMPATIBILITY_LEVEL,
                        "Invalid compatibility level. Valid values are none, backward, forward, full, "
                                + "backward_transitive, forward_transitive, and full_transitive"));
    }

    private JsonNode object(final String body) {
        final JsonNode node;
        try {
            node = mapper.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new RegistryException(ErrorCode.BAD_REQUEST,
                    "Malformed JSON request body: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new RegistryException(ErrorCode.UNPROCESSABLE_ENTITY, "The request body must be a JSON object");
        }
        return node;
    }
}
