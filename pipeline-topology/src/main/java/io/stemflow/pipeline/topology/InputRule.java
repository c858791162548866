package io.stemflow.pipeline.topology;

import io.stemflow.schemas.AccountIds;
import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.FieldLimits;

import io.stemflow.avro.AccountShare;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
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
 *   <li>{@code separation-submissions} and {@code separation-results}: the key must be the value's
 *       requestId (the gateway and the bridge key them so); ids must be present and within
 *       {@link FieldLimits}; a submission status this version does not know (read as UNKNOWN) is refused
 *       rather than taken for a rejection.</li>
 *   <li>{@code separation-control}: a known action and scope, a commandId, a target that is a valid id
 *       (an account id for ACCOUNT scope), the key equal to the target (or none), a requestedBy.</li>
 *   <li>{@code account-shares}: the key equal to the accountId (or none), a valid account id, a weight
 *       of 1 to 1000, a cap given whole (calls 1 to 100,000 per 1 ms to 1 day) or not at all; a
 *       tombstone is allowed (the account goes back to weight 1, no cap).</li>
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

    static InputRule<ControlCommand> control() {
        return (key, c) -> {
            if (c == null) {
                return new Refuse(TOMBSTONE, null, null);
            }
            final Optional<String> problem = FieldLimits.oversized(c)
                    .or(() -> c.getAction() == null || c.getAction() == ControlAction.UNKNOWN
                            ? Optional.of("action must be PAUSE, RESUME or CANCEL") : Optional.empty())
                    .or(() -> c.getScope() == null || c.getScope() == ControlScope.UNKNOWN
                            ? Optional.of("scope must be BATCH or ACCOUNT") : Optional.empty())
                    .or(() -> FieldLimits.isValidId(c.getCommandId()) ? Optional.empty()
                            : Optional.of("commandId must have 1 to " + FieldLimits.MAX_ID_LENGTH
                            + " characters and no control characters"))
                    .or(() -> FieldLimits.isValidId(c.getRequestedBy()) ? Optional.empty()
                            : Optional.of("requestedBy must name who asked (1 to " + FieldLimits.MAX_ID_LENGTH
                            + " characters, no control characters)"))
                    .or(() -> c.getScope() == ControlScope.ACCOUNT
                            ? (AccountIds.isValid(c.getTarget()) ? Optional.empty()
                            : Optional.of("target of an ACCOUNT command must be an account id: " + AccountIds.RULE))
                            : (FieldLimits.isValidId(c.getTarget()) ? Optional.empty()
                            : Optional.of("target of a BATCH command must be a batch id (1 to "
                            + FieldLimits.MAX_ID_LENGTH + " characters, no control characters)")))
                    .or(() -> c.getAccountId() != null && (c.getScope() != ControlScope.BATCH
                            || !AccountIds.isValid(c.getAccountId()))
                            ? Optional.of("accountId is for BATCH commands and must be " + AccountIds.RULE)
                            : Optional.empty())
                    .or(() -> key != null && !key.equals(c.getTarget())
                            ? Optional.of("record key '" + CallerText.clip(key) + "' is not the target '"
                            + CallerText.clip(c.getTarget()) + "'") : Optional.empty());
            return problem.<Verdict>map(p -> new Refuse(p, null, c.getScope() == ControlScope.ACCOUNT
                    ? blankToNull(c.getTarget()) : blankToNull(c.getAccountId()))).orElse(new Use(c.getTarget()));
        };
    }

    int MAX_WEIGHT = 1_000;
    int MAX_CAP_CALLS = 100_000;
    long MAX_CAP_WINDOW_MS = 86_400_000L;

    static InputRule<AccountShare> shares() {
        return (key, s) -> {
            if (s == null) {
                return key != null && AccountIds.isValid(key) ? new Use(key)
                        : new Refuse("a tombstone must be keyed by a valid account id", null, null);
            }
            final Optional<String> problem = FieldLimits.oversized(s)
                    .or(() -> AccountIds.isValid(s.getAccountId()) ? Optional.empty()
                            : Optional.of("accountId must be " + AccountIds.RULE))
                    .or(() -> key != null && !key.equals(s.getAccountId())
                            ? Optional.of("record key '" + CallerText.clip(key) + "' is not the accountId '"
                            + CallerText.clip(s.getAccountId()) + "'") : Optional.empty())
                    .or(() -> s.getWeight() < 1 || s.getWeight() > MAX_WEIGHT
                            ? Optional.of("weight must be 1 to " + MAX_WEIGHT + ", was " + s.getWeight())
                            : Optional.empty())
                    .or(() -> (s.getCapCalls() == null) != (s.getCapWindowMillis() == null)
                            ? Optional.of("capCalls and capWindowMillis go together (both or neither)")
                            : Optional.empty())
                    .or(() -> s.getCapCalls() != null && (s.getCapCalls() < 1 || s.getCapCalls() > MAX_CAP_CALLS
                            || s.getCapWindowMillis() < 1 || s.getCapWindowMillis() > MAX_CAP_WINDOW_MS)
                            ? Optional.of("a cap is 1 to " + MAX_CAP_CALLS + " calls per 1 ms to 1 day")
                            : Optional.empty())
                    .or(() -> FieldLimits.isValidId(s.getSetBy()) ? Optional.empty()
                            : Optional.of("setBy must name who set it (1 to " + FieldLimits.MAX_ID_LENGTH
                            + " characters, no control characters)"));
            return problem.<Verdict>map(p -> new Refuse(p, null, blankToNull(s.getAccountId())))
                    .orElse(new Use(s.getAccountId()));
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
