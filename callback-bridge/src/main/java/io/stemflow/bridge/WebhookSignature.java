package io.stemflow.bridge;

import io.stemflow.service.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The provider's optional callback signature: {@code X-Webhook-Timestamp} (unix seconds) and
 * {@code X-Webhook-Signature = base64(HMAC-SHA256(task_id + "." + timestamp, webhookKey))}.
 *
 * <p>A timestamp further than {@code maxAge} from the injected clock, in the past or the future, is
 * stale: it bounds how long a captured callback can be replayed. Signatures are compared in
 * constant time. Thread-safe; the key never leaves this object.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "X-Webhook-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Webhook-Signature";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int MAX_TIMESTAMP_DIGITS = 12;

    /** Why a signature was accepted or not (for metrics and logs; the sender only sees 401). */
    public enum Verdict { VALID, MISSING, MALFORMED, STALE, MISMATCH }

    private final SecretKeySpec key;
    private final Duration maxAge;
    private final Clock clock;

    public WebhookSignature(final Secret webhookKey, final Duration maxAge, final Clock clock) {
        this.key = new SecretKeySpec(Objects.requireNonNull(webhookKey, "webhookKey").bytes(), ALGORITHM);
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The signature the provider sends for {@code taskId} at {@code epochSeconds}. */
    public String sign(final String taskId, final long epochSeconds) {
        return Base64.getEncoder().encodeToString(mac(taskId, Long.toString(epochSeconds)));
    }

    /**
     * The checks that need no body: both headers present, the timestamp a number within {@code maxAge}
     * of now. Lets a stale or unsigned callback be refused before its body is read.
     */
    public Verdict precheck(final String timestamp, final String signature) {
        if (timestamp == null || timestamp.isBlank() || signature == null || signature.isBlank()) {
            return Verdict.MISSING;
        }
        final long seconds;
        try {
            seconds = parseTimestamp(timestamp);
        } catch (NumberFormatException e) {
            return Verdict.MALFORMED;
        }
        final long now = clock.instant().getEpochSecond();
        return Math.abs(now - seconds) > maxAge.toSeconds() ? Verdict.STALE : Verdict.VALID;
    }

    /** Every check: {@link #precheck} and the HMAC of {@code taskId + "." + timestamp}, in constant time. */
    public Verdict verify(final String taskId, final String timestamp, final String signature) {
        final Verdict precheck = precheck(timestamp, signature);
        if (precheck != Verdict.VALID) {
            return precheck;
        }
        final byte[] given;
        try {
            given = decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return Verdict.MALFORMED;
        }
        // the header's text as sent, so that what was signed is exactly what is verified
        final byte[] expected = mac(taskId, timestamp.trim());
        return MessageDigest.isEqual(expected, given) ? Verdict.VALID : Verdict.MISMATCH;
    }

    private static long parseTimestamp(final String timestamp) {
        final String trimmed = timestamp.trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_TIMESTAMP_DIGITS || !trimmed.chars().allMatch(Character::isDigit)) {
            throw new NumberFormatException("not unix seconds");
        }
        return Long.parseLong(trimmed);
    }

    /** Standard base64 as documented; the URL-safe alphabet is accepted too. */
    private static byte[] decode(final String signature) {
        return signature.indexOf('-') >= 0 || signature.indexOf('_') >= 0
                ? Base64.getUrlDecoder().decode(signature)
                : Base64.getDecoder().decode(signature);
    }

    private byte[] mac(final String taskId, final String timestamp) {
        try {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal((taskId + "." + timestamp).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(ALGORITHM + " is not available for webhook signatures", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSignature[" + ALGORITHM + ", maxAge=" + maxAge + ", key hidden]";
    }
}
