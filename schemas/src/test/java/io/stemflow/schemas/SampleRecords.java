package io.stemflow.schemas;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/** Realistic values for tests. */
final class SampleRecords {

    private SampleRecords() {
    }

    static SeparationRequest request(final String requestId) {
        return SeparationRequest.newBuilder()
                .setRequestId(requestId)
                .setAccountId("label-north")
                .setBatchId("catalogue-2026-11")
                .setTaskId("5c79a1f0c3be8e")
                .setAudioId("e231b7c2-4d1a-4f7e-9a3c-8cadc7dc")
                .setType(SeparationType.SPLIT_STEM)
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setLabels(Map.of("artist", "The Examples", "isrc", "GBXXX2600001"))
                .build();
    }
}
