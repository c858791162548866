package io.stemflow.bridge.kafka;

import java.time.Duration;

/** Told of every publish, for metrics and readiness. Called on the request's thread; must not block. */
public interface PublishListener {

    /** The broker acknowledged the record after {@code latency}. */
    void acknowledged(Duration latency);

    /** The record was not acknowledged; {@code latency} is how long the attempt took. */
    void failed(PublishException.Kind kind, Duration latency);
}
