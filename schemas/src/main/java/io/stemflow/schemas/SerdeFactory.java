package io.stemflow.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/** Makes the value serde of an Avro record type; the registry connection lives behind it. */
@FunctionalInterface
public interface SerdeFactory {

    <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type);
}
