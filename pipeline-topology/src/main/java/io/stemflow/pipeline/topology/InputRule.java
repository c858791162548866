package io.stemflow.pipeline.topology;

import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.FieldLimits;

import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import java.util.Optional;

/**
 * What an input accepts before its processor sees a record: which key the record goes on with, or
 * why it is refused. The rules, per input (docs/integration.md repeats them for producers):
 * <ul>
 *   <li>every input: a tombstone (null value) is refused, and so is a record over {@link FieldLimits}
 *       (before it is re-keyed); a record that does not decode never gets here (the deserialization
 *       handler dead-letters it as CORRUPT_RECORD);</li>
 *   <li>{@code separation-requests}: a null key is replaced by the value's requestId (the request is
 *       used); anything else goes on to {@link RequestValidator}, which dead-letters a key that
 *       disagrees with the requestId as INVALID_REQUEST, with the request attached for replay;</li>
 *   <li>{@code credit-grants}: a null key is replaced by the value's accountId; the credit side checks
 *       the rest (a key that disagrees with the accountId is refused there);</li>
 *   <li>{@code separation-submissions} and {@code separation-results}: these are not re-keyed, so the
 *       key must be the value's requestId (a record is processed on the partition its key chose);
 *       ids must be present and within {@link FieldLimits}; a submission status this version does
 *       not know (read as UNKNOWN) is refused rather than taken for a rejection.</li>
 * </ul>
 *
 * @param <V> the input's value type
 */
@FunctionalInterface
interface InputRule<V> {

    Verdict check(String key, V value);

    /** The decision about one record. */
    sealed interface Verdict {
    }

    /** Go on with this key. */
    record Use(String key) implements Verdict {
    }

    /** Refused; the ids are what the value tells of whose record it was, when it tells. */
    record Refuse(String reason, String requestId, String accountId) implements Verdict {
    }

    String TOMBSTONE = "a tombstone (null value) is not a record this topic takes";

    static InputRule<SeparationRequest> requests() {
        return (key, r) -> {
            if (r == null) {
                return new Refuse(TOMBSTONE, key, null);
            }
            final Optional<String> oversized = FieldLimits.oversized(r);
            if (oversized.isPresent()) {
                return new Refuse(oversized.get(), blankToNull(r.getRequestId()), blankToNull(r.getAccountId()));
            }
            if (key != null) {
                return new Use(key);
            }
            return blank(r.getRequestId())
                    ? new Refuse("the record has no key and no requestId", null, blankToNull(r.getAccountId()))
                    : new Use(r.getRequestId());
        };
    }

    static InputRule<CreditGrant> grants() {
        return (key, g) -> {
            if (g == null) {
                return new Refuse(TOMBSTONE, null, key);
            }
            final Optional<String> oversized = FieldLimits.oversized(g);
            if (oversized.isPresent()) {
                return new Refuse(oversized.get(), null, blankToNull(g.getAccountId()));
            }
            if (key != null) {
                return new Use(key);
            }
            return blank(g.getAccountId())
                    ? new Refuse("the record has no key and no accountId", null, null)
                    : new Use(g.getAccountId());
        };
    }

    static InputRule<SubmissionOutcome> submissions() {
        return (key, o) -> {
            if (o == null) {
                return new Refuse(TOMBSTONE, key, null);
            }
            final Optional<String> problem = keyedByRequestId(key, o.getRequestId())
                    .or(() -> FieldLimits.oversized(o))
                    .or(() -> o.getStatus() == null || o.getStatus() == SubmissionStatus.UNKNOWN
                            ? Optional.of("status is a symbol this version does not know (read as UNKNOWN)")
                            : Optional.empty());
            return problem.<Verdict>map(p -> new Refuse(p, blankToNull(o.getRequestId()), null))
                    .orElse(new Use(key));
        };
    }

    static InputRule<SeparationResult> results() {
        return (key, r) -> {
            if (r == null) {
                return new Refuse(TOMBSTONE, key, null);
            }
            final Optional<String> problem = keyedByRequestId(key, r.getRequestId())
                    .or(() -> blank(r.getProviderTaskId()) ? Optional.of("providerTaskId is missing") : Optional.empty())
                    .or(() -> FieldLimits.oversized(r));
            return problem.<Verdict>map(p -> new Refuse(p, blankToNull(r.getRequestId()), null))
                    .orElse(new Use(key));
        };
    }

    private static Optional<String> keyedByRequestId(final String key, final String requestId) {
        if (blank(requestId)) {
            return Optional.of("requestId is missing");
        }
        if (!requestId.equals(key)) {
            return Optional.of("record key " + (key == null ? "null" : "'" + CallerText.clip(key) + "'")
                    + " is not the requestId '" + CallerText.clip(requestId)
                    + "' (this topic is not re-keyed: the key decides which task sees the record)");
        }
        return Optional.empty();
    }

    private static boolean blank(final String s) {
        return s == null || s.isBlank();
    }

    private static String blankToNull(final String s) {
        return blank(s) ? null : s;
    }
}
