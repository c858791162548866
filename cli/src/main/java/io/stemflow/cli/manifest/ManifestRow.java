package io.stemflow.cli.manifest;

import io.stemflow.avro.SeparationType;
import java.util.Map;

/** One valid row of a manifest, with the defaults of the command applied. */
public record ManifestRow(int line, String taskId, String audioId, SeparationType type, String accountId,
                          Map<String, String> labels) {
}
