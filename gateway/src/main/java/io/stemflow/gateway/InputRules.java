package io.stemflow.gateway;

import io.stemflow.schemas.CallerText;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.schemas.FieldLimits;
import java.util.Optional;

/**
 * What a decoded record of the gateway's inputs must be to be used, checked on the fields the gateway uses;
 * a broken rule is a value (the reason), not an exception. Checked in order, identity first:
 * <ol>
 *   <li>the requestId is 1 to {@value #MAX_ID_LENGTH} characters without control characters (the rule of
 *       {@code separation-requests}, docs/integration.md section 2);</li>
 *   <li>the record key is that requestId, or absent: a keyless record is used as if keyed by its requestId
 *       (every output is keyed by the requestId anyway, and the gateway needs no co-partitioning);</li>
 *   <li>the ids the provider call needs follow the same rule, the separation type is one this gateway knows
 *       (not UNKNOWN, the symbol a reader gets for a newer one), attempt and reconciliation are 1 or more;</li>
 *   <li>the record is within the size limits every input shares ({@link FieldLimits}: labels, batchId and every
 *       other string included).</li>
 * </ol>
 */
final class InputRules {

    static final int MAX_ID_LENGTH = FieldLimits.MAX_ID_LENGTH;

    private InputRules() {
    }

    /** Whether {@code id} can name a job: the id rule of {@link FieldLimits}. */
    static boolean validId(final String id) {
        return FieldLimits.isValidId(id);
    }

    /** Why {@code key} and {@code requestId} do not name one job, or empty when they do. */
    static Optional<String> identityProblem(final String key, final String requestId) {
        final Optional<String> id = idProblem("requestId", requestId);
        if (id.isPresent()) {
            return id;
        }
        if (key != null && !key.equals(requestId)) {
            return Optional.of("record key '" + CallerText.clip(key) + "' is not the requestId '" + requestId + "'");
        }
        return Optional.empty();
    }

    /** Why an admitted job whose identity is sound cannot be submitted, or empty. */
    static Optional<String> admittedProblem(final AdmittedJob job) {
        final SeparationRequest request = job.getRequest();
        return idProblem("taskId", request.getTaskId())
                .or(() -> idProblem("audioId", request.getAudioId()))
                .or(() -> request.getType() == SeparationType.UNKNOWN
                        ? Optional.of("separation type UNKNOWN (a symbol this gateway does not know)")
                        : Optional.empty())
                .or(() -> request.getAttempt() < 1
                        ? Optional.of("attempt must be 1 or more, was " + request.getAttempt())
                        : Optional.empty())
                .or(() -> FieldLimits.oversized(job));
    }

    /** Why a reconcile request whose identity is sound cannot be polled, or empty. */
    static Optional<String> reconcileProblem(final ReconcileRequest request) {
        return idProblem("providerTaskId", request.getProviderTaskId())
                .or(() -> request.getAttempt() < 1
                        ? Optional.of("attempt must be 1 or more, was " + request.getAttempt())
                        : Optional.empty())
                .or(() -> request.getReconciliation() < 1
                        ? Optional.of("reconciliation must be 1 or more, was " + request.getReconciliation())
                        : Optional.empty())
                .or(() -> FieldLimits.oversized(request));
    }

    /** The most stems one link refresh may ask for (a split_stem job has 12). */
    static final int MAX_REFRESH_STEMS = 32;

    /** Why a link refresh whose identity is sound cannot be looked up, or empty. */
    static Optional<String> linkRefreshProblem(final LinkRefreshRequest request) {
        return idProblem("providerTaskId", request.getProviderTaskId())
                .or(() -> request.getAttempt() < 1
                        ? Optional.of("attempt must be 1 or more, was " + request.getAttempt())
                        : Optional.empty())
                .or(() -> request.getRefresh() < 1
                        ? Optional.of("refresh must be 1 or more, was " + request.getRefresh())
                        : Optional.empty())
                .or(() -> request.getStems().isEmpty() || request.getStems().size() > MAX_REFRESH_STEMS
                        ? Optional.of("stems must list 1 to " + MAX_REFRESH_STEMS + " stem events, has "
                        + request.getStems().size())
                        : Optional.empty())
                .or(() -> request.getStems().stream()
                        .filter(s -> !request.getRequestId().equals(s.getRequestId()))
                        .findFirst()
                        .map(s -> "every stem event must be of job " + request.getRequestId()
                                + ", one is of '" + CallerText.clip(s.getRequestId()) + "'"))
                .or(() -> FieldLimits.oversized(request));
    }

    private static Optional<String> idProblem(final String field, final String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(field + " is missing or blank");
        }
        if (!validId(value)) {
            return Optional.of(field + " must have 1 to " + MAX_ID_LENGTH + " characters and no control characters"
                    + " (has " + value.length() + ")");
        }
        return Optional.empty();
    }
}
