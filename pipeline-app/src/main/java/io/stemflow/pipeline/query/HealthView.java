package io.stemflow.pipeline.query;

/** {@code GET /health}: UP (200) when Kafka Streams is RUNNING, DOWN (503) otherwise. */
public record HealthView(String status, String streams) {
}
