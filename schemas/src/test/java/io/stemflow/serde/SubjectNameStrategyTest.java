package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.fixtures.Track;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SubjectNameStrategyTest {

    @ParameterizedTest
    @CsvSource({
        "TopicNameStrategy, TOPIC_NAME",
        "io.confluent.kafka.serializers.subject.TopicNameStrategy, TOPIC_NAME",
        "RecordNameStrategy, RECORD_NAME",
        "io.confluent.kafka.serializers.subject.RecordNameStrategy, RECORD_NAME",
        "TopicRecordNameStrategy, TOPIC_RECORD_NAME",
        "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy, TOPIC_RECORD_NAME",
        "topic_record_name, TOPIC_RECORD_NAME"
    })
    void shouldAcceptShortAndConfluentNamesWhenParsing(String value, SubjectNameStrategy expected) {
        assertThat(SubjectNameStrategy.parse(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "TOPIC_NAME, false, tracks-value",
        "TOPIC_NAME, true, tracks-key",
        "RECORD_NAME, false, io.stemflow.serde.fixtures.Track",
        "RECORD_NAME, true, io.stemflow.serde.fixtures.Track",
        "TOPIC_RECORD_NAME, false, tracks-io.stemflow.serde.fixtures.Track",
        "TOPIC_RECORD_NAME, true, tracks-io.stemflow.serde.fixtures.Track"
    })
    void shouldNameTheSubjectPerStrategyWhenGivenATopicAndSchema(
            SubjectNameStrategy strategy, boolean isKey, String expected) {
        assertThat(strategy.subjectName("tracks", isKey, Track.SCHEMA$)).isEqualTo(expected);
    }

    @Test
    void shouldListTheAcceptedNamesWhenTheValueIsUnknown() {
        assertThatThrownBy(() -> SubjectNameStrategy.parse("io.example.MyStrategy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'io.example.MyStrategy' is not a subject name strategy")
                .hasMessageContaining("TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy");
    }

    @Test
    void shouldRefuseAnUnnamedSchemaWhenTheStrategyNeedsAName() {
        assertThatThrownBy(() -> SubjectNameStrategy.RECORD_NAME.subjectName("t", false, Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRING");
    }
}
