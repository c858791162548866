package io.stemflow.pipeline.query;

import java.util.List;

/**
 * Every batch, gathered from every instance ({@code GET /batches}), sorted by batchId.
 *
 * @param batches   the batches, each as {@code GET /batches/{batchId}} shows it
 * @param instances the instances ({@code host:port}) whose stores were read
 */
public record BatchesView(List<BatchView> batches, List<String> instances) {

    public BatchesView {
        batches = batches == null ? List.of() : List.copyOf(batches);
        instances = instances == null ? List.of() : List.copyOf(instances);
    }
}
