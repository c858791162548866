package io.stemflow.pipeline.topology;

import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.FieldLimits;

import io.stemflow.schemas.AccountIds;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import java.util.Optional;

/** The rules a request must meet to be admitted; a broken rule is a value, not an exception. */
public final class RequestValidator {

    /** Ids: 1-200 characters, no control characters. */
    private static final int MAX_ID_LENGTH = FieldLimits.MAX_ID_LENGTH;

    private RequestValidator() {
    }

    /** Why the request cannot be admitted, or empty when it can. */
    public static Optional<String> problem(final String key, final SeparationRequest r) {
        if (blank(r.getRequestId())) {
            return Optional.of("requestId is missing");
        }
        if (!r.getRequestId().equals(key)) {
            return Optional.of("record key '" + CallerText.clip(key) + "' is not the requestId '" + CallerText.clip(r.getRequestId()) + "'");
        }
        if (!validId(r.getRequestId())) {
            return Optional.of("requestId must have 1 to " + MAX_ID_LENGTH + " characters and no control characters");
        }
        if (blank(r.getAccountId())) {
            return Optional.of("accountId is missing");
        }
        if (!AccountIds.isValid(r.getAccountId())) {
            return Optional.of("accountId '" + CallerText.clip(r.getAccountId()) + "' must be " + AccountIds.RULE);
        }
        if (blank(r.getTaskId())) {
            return Optional.of("taskId is missing");
        }
        if (blank(r.getAudioId())) {
            return Optional.of("audioId is missing");
        }
        if (!validId(r.getTaskId()) || !validId(r.getAudioId())) {
            return Optional.of("taskId and audioId must have 1 to " + MAX_ID_LENGTH + " characters and no control characters");
        }
        if (r.getType() == null || r.getType() == SeparationType.UNKNOWN) {
            return Optional.of("type must be SEPARATE_VOCAL or SPLIT_STEM");
        }
        if (r.getAttempt() < 1) {
            return Optional.of("attempt must be 1 or more, was " + r.getAttempt());
        }
        if (r.getBatchId() != null && !validId(r.getBatchId())) {
            return Optional.of("batchId must have at most " + MAX_ID_LENGTH + " characters and no control characters");
        }
        return Optional.empty();
    }

    private static boolean blank(final String s) {
        return s == null || s.isBlank();
    }

    private static boolean validId(final String s) {
        return s.length() <= MAX_ID_LENGTH && s.chars().noneMatch(Character::isISOControl);
    }
}
