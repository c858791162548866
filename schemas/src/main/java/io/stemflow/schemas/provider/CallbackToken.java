package io.stemflow.schemas.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-job callback URL and its token: {@code {bridge}/callbacks/{requestId}?token=<HMAC>},
 * where the token is base64url(HMAC-SHA256(requestId, key)) without padding. The submitter makes
 * the URL it gives the provider; the callback bridge checks the token in constant time, so a
 * forged callback never reaches Kafka. The key is a secret: it comes from the environment or a
 * file and never appears in {@link #toString()}, a log line or an exception message.
 */
public final class CallbackToken {

    /** Shortest key accepted: 16 bytes (128 bits). */
    public static final int MIN_KEY_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";
    /** base64url of the 32-byte HMAC without padding. */
    private static final int TOKEN_LENGTH = 43;

    private final SecretKeySpec key;

    private CallbackToken(final byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /**
     * @throws IllegalArgumentException when the key is shorter than {@value #MIN_KEY_BYTES} bytes (the
     *                                  message gives the length only, never the key)
     */
    public static CallbackToken withKey(final byte[] key) {
        Objects.requireNonNull(key, "callback HMAC key");
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("The callback HMAC key must have at least " + MIN_KEY_BYTES
                    + " bytes, it has " + key.length);
        }
        return new CallbackToken(key.clone());
    }

    public String tokenFor(final String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(requestId));
    }

    /**
     * Constant-time check of a token received for {@code requestId}; false for null or malformed tokens.
     *
     * <p>Only the canonical spelling made by {@link #tokenFor} is accepted, compared as text: a base64
     * decoder would also take the three other final characters that differ only in the two unused low
     * bits, and a padded form, as the same 32 bytes, so one token would have several spellings (a
     * cache, a log search or a proxy rule keyed on the token would see different ones).
     */
    public boolean verify(final String requestId, final String token) {
        if (requestId == null || token == null || token.length() != TOKEN_LENGTH) {
            return false;
        }
        final byte[] expected = tokenFor(requestId).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8));
    }

    /** The callback URL the provider is given for a job: {@code {bridgeBase}/callbacks/{requestId}?token=...}. */
    public URI callbackUrl(final URI bridgeBase, final String requestId) {
        final String base = bridgeBase.toString().replaceAll("/+$", "");
        return URI.create(base + "/callbacks/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8).replace("+", "%20")
                + "?token=" + tokenFor(requestId));
    }

    private byte[] mac(final String requestId) {
        try {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(requestId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    @Override
    public String toString() {
        return "CallbackToken[" + ALGORITHM + ", key hidden]";
    }
}
