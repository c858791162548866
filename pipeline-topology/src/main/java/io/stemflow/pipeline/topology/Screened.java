package io.stemflow.pipeline.topology;

import io.stemflow.avro.DeadLetter;

/** What {@link InputScreen} made of a record: the value to go on with, or the dead letter instead. */
sealed interface Screened<V> {

    record Pass<V>(V value) implements Screened<V> {
    }

    record Refused<V>(DeadLetter letter) implements Screened<V> {
    }
}
