package io.stemflow.registry.support;

/** Avro schema texts for tests. */
public final class Schemas {

    private Schemas() {
    }

    /** A record schema named {@code name} with the given field JSON objects. */
    public static String namedRecord(final String name, final String... fields) {
        return "{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"io.stemflow.test\",\"fields\":["
                + String.join(",", fields) + "]}";
    }

    /** A record named {@code R} with the given fields. */
    public static String record(final String... fields) {
        return namedRecord("R", fields);
    }

    public static String stringField(final String name) {
        return "{\"name\":\"" + name + "\",\"type\":\"string\"}";
    }

    public static String stringField(final String name, final String defaultValue) {
        return "{\"name\":\"" + name + "\",\"type\":\"string\",\"default\":\"" + defaultValue + "\"}";
    }

    public static String intField(final String name) {
        return "{\"name\":\"" + name + "\",\"type\":\"int\"}";
    }

    public static String intField(final String name, final int defaultValue) {
        return "{\"name\":\"" + name + "\",\"type\":\"int\",\"default\":" + defaultValue + "}";
    }
}
