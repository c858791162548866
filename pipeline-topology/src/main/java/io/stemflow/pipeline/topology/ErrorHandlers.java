package io.stemflow.pipeline.topology;

import io.stemflow.schemas.Topics;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How the topology is run safely, in one place for the application and its tests: undecodable
 * records ({@link CorruptRecordHandler}), records whose processing throws
 * ({@link ProcessingErrorHandler}) and outputs that cannot be written ({@link ProductionErrorHandler})
 * all go to the dead-letter topic, counted in {@code metrics}, and the application goes on.
 */
public final class ErrorHandlers {

    private ErrorHandlers() {
    }

    /** Adds the error handlers and what they share to Streams properties. */
    public static Properties configure(final Properties props, final Topics topics, final TopologyMetrics metrics) {
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, CorruptRecordHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ProcessingErrorHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionErrorHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(DeadLetterWriter.DLQ_TOPIC_CONFIG, topics.deadLetters().name());
        props.put(DeadLetterWriter.SERIALIZER_CONFIG, topics.deadLetters().valueSerde().serializer());
        props.put(DeadLetterWriter.METRICS_CONFIG, metrics);
        return props;
    }
}
