package io.stemflow.pipeline.topology;

import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import java.util.List;

/** A provider result kept in the job store: applied at once, or held until the submission outcome arrives. */
public record PendingResult(String providerTaskId, int code, String message, List<StemEntry> stems,
                            String originUrl, ResultSource source, long receivedAt) {

    public PendingResult {
        stems = stems == null ? List.of() : List.copyOf(stems);
    }

    static PendingResult of(final SeparationResult r) {
        return new PendingResult(r.getProviderTaskId(), r.getCode(), r.getMessage(),
                r.getStems().stream().map(s -> new StemEntry(s.getStem(), s.getUrl())).toList(),
                r.getOriginUrl(), r.getSource(), r.getReceivedAt().toEpochMilli());
    }

    boolean succeeded() {
        return code == 200;
    }
}
