package io.stemflow.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Removes the properties Avro's Java code generator adds to a schema ({@code "avro.java.string": "String"}
 * on every string with {@code stringType=String}; {@code java-class}, {@code java-key-class}, {@code
 * java-element-class}), giving back the schema of the {@code .avsc} the classes were generated from. A
 * schema registry compares schemas with their properties, so a generated class's own schema is a different
 * schema from the {@code .avsc} that a Python or JavaScript client reads: registered, it becomes a second
 * version that no other generator's schema resolves to. Confluent's serializer does the same when
 * {@code avro.remove.java.properties=true}; stemflow's does it by default.
 *
 * <p>The properties only tell the Java code which classes to use; the binary encoding is the same with
 * or without them, so values written with the stripped schema read back into the generated classes.
 */
public final class JavaProperties {

    /** The properties removed: only Java code reads them. */
    public static final Set<String> NAMES = Set.of("avro.java.string", "java-class", "java-key-class", "java-element-class");

    private static final ObjectMapper JSON = new ObjectMapper();

    private JavaProperties() {
    }

    /** {@code schema} without Java-only properties; {@code schema} itself when it has none. */
    public static Schema strip(final Schema schema) {
        Objects.requireNonNull(schema, "schema");
        final String text = schema.toString();
        if (NAMES.stream().noneMatch(name -> text.contains('"' + name + '"'))) {
            return schema;
        }
        try {
            final JsonNode tree = JSON.readTree(text);
            return new Schema.Parser().parse(JSON.writeValueAsString(stripped(tree)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Avro rendered schema " + schema.getFullName() + " as text it cannot read back", e);
        }
    }

    /**
     * Walks a schema's JSON: removes the properties from every schema object (an object with a
     * {@code type}) and descends into field types, items, values and unions, never into default values.
     */
    private static JsonNode stripped(final JsonNode node) {
        if (node instanceof ArrayNode union) {
            for (int i = 0; i < union.size(); i++) {
                union.set(i, stripped(union.get(i)));
            }
            return union;
        }
        if (!(node instanceof ObjectNode object) || !object.has("type")) {
            return node;
        }
        NAMES.forEach(object::remove);
        for (final String key : new String[] {"type", "items", "values"}) {
            if (object.has(key)) {
                object.set(key, stripped(object.get(key)));
            }
        }
        final JsonNode fields = object.get("fields");
        if (fields instanceof ArrayNode list) {
            list.forEach(JavaProperties::stripped); // a field is an object with a type: its own properties go too
        }
        return object;
    }
}
