package io.stemflow.serde;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * How the subject a schema is registered under is named, as in Confluent's serializers. Parsed
 * from short names ({@code TopicNameStrategy}), Confluent's class names ({@code
 * io.confluent.kafka.serializers.subject.TopicNameStrategy}) or the enum constant names.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: one value type per topic (the default). */
    TOPIC_NAME("TopicNameStrategy") {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return requireTopic(topic) + (isKey ? "-key" : "-value");
        }
    },
    /** The record's full name: one subject per type, shared by every topic. */
    RECORD_NAME("RecordNameStrategy") {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return fullName(schema);
        }
    },
    /** {@code <topic>-<record full name>}: several types per topic. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy") {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return requireTopic(topic) + "-" + fullName(schema);
        }
    };

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String shortName;

    SubjectNameStrategy(String shortName) {
        this.shortName = shortName;
    }

    /**
     * The subject for a value of {@code schema} written to {@code topic}.
     *
     * @throws IllegalArgumentException when the strategy needs a topic or a named schema and has none
     */
    public abstract String subjectName(String topic, boolean isKey, Schema schema);

    /** Confluent's short class name, e.g. {@code TopicNameStrategy}. */
    public String shortName() {
        return shortName;
    }

    /**
     * The strategy named by {@code value}: a short name, a Confluent class name, an enum constant
     * name or a {@link Class} whose simple name is a short name.
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static SubjectNameStrategy parse(Object value) {
        final String text = value instanceof Class<?> type ? type.getSimpleName() : String.valueOf(value).trim();
        final String name = text.startsWith(CONFLUENT_PACKAGE) ? text.substring(CONFLUENT_PACKAGE.length()) : text;
        for (final SubjectNameStrategy strategy : values()) {
            if (strategy.shortName.equals(name) || strategy.name().equals(name.toUpperCase(Locale.ROOT))) {
                return strategy;
            }
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not a subject name strategy; expected TopicNameStrategy, RecordNameStrategy or "
                        + "TopicRecordNameStrategy (or Confluent's " + CONFLUENT_PACKAGE + "* class names)");
    }

    private static String requireTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("A topic name is needed to name the subject, but none was given");
        }
        return topic;
    }

    private static String fullName(Schema schema) {
        switch (schema.getType()) {
            case RECORD:
            case ENUM:
            case FIXED:
                return schema.getFullName();
            default:
                throw new IllegalArgumentException(
                        "Schema of type " + schema.getType() + " has no name to derive a subject from");
        }
    }
}
