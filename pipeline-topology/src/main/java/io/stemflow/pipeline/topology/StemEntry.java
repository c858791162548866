package io.stemflow.pipeline.topology;

import io.stemflow.avro.Stem;

/** A stem and where the provider put it. */
public record StemEntry(Stem stem, String url) {
}
