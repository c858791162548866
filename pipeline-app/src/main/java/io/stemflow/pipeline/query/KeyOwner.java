package io.stemflow.pipeline.query;

import java.util.Objects;
import org.apache.kafka.streams.state.HostInfo;

/** The instance whose active task holds a key, and the key's partition of the store. */
record KeyOwner(HostInfo host, int partition) {

    KeyOwner {
        Objects.requireNonNull(host, "host");
    }
}
