package io.stemflow.emulator.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares two JSON documents by shape: the same keys at every level, and the same type for every value
 * (string, integral number, floating number, boolean, null, object, array); array elements are compared with
 * the example's first element. Values themselves are not compared.
 */
public final class JsonShape {

    private JsonShape() {
    }

    /** The differences between {@code actual} and {@code expected}, as readable paths; empty when they match. */
    public static List<String> differences(final JsonNode expected, final JsonNode actual) {
        final List<String> out = new ArrayList<>();
        compare("$", expected, actual, out);
        return out;
    }

    private static void compare(final String path, final JsonNode expected, final JsonNode actual,
                                final List<String> out) {
        if (actual == null) {
            out.add(path + ": missing");
            return;
        }
        if (!type(expected).equals(type(actual))) {
            out.add(path + ": expected " + type(expected) + " but was " + type(actual) + " (" + actual + ")");
            return;
        }
        if (expected.isObject()) {
            final TreeSet<String> expectedKeys = new TreeSet<>();
            expected.fieldNames().forEachRemaining(expectedKeys::add);
            final TreeSet<String> actualKeys = new TreeSet<>();
            actual.fieldNames().forEachRemaining(actualKeys::add);
            if (!expectedKeys.equals(actualKeys)) {
                final TreeSet<String> missing = new TreeSet<>(expectedKeys);
                missing.removeAll(actualKeys);
                final TreeSet<String> extra = new TreeSet<>(actualKeys);
                extra.removeAll(expectedKeys);
                out.add(path + ": keys differ, missing " + missing + ", extra " + extra);
            }
            for (final Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> field = it.next();
                if (actual.has(field.getKey())) {
                    compare(path + "." + field.getKey(), field.getValue(), actual.get(field.getKey()), out);
                }
            }
        } else if (expected.isArray() && !expected.isEmpty()) {
            if (actual.isEmpty()) {
                out.add(path + ": expected a non-empty array");
            }
            for (int i = 0; i < actual.size(); i++) {
                compare(path + "[" + i + "]", expected.get(0), actual.get(i), out);
            }
        }
    }

    private static String type(final JsonNode node) {
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "float";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
