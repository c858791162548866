package io.stemflow.schemas.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
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
    private final List<SecretKeySpec> previous;

    private CallbackToken(final byte[] key, final List<byte[]> previous) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.previous = previous.stream().map(k -> new SecretKeySpec(k, ALGORITHM)).toList();
    }

    /**
     * @throws IllegalArgumentException when the key is shorter than {@value #MIN_KEY_BYTES} bytes (the
     *                                  message gives the length only, never the key)
     */
    public static CallbackToken withKey(final byte[] key) {
        return withKeys(key, List.of());
    }

    /**
     * Tokens made with {@code key}, and tokens made with any of the {@code previous} keys still accepted: a key is
     * rotated without refusing the callbacks of jobs submitted under the old one (the bridge lists the old key
     * as previous, then the submitter signs with the new one, and once no job of the old key can call back any
     * more, the old key is dropped).
     *
     * @throws IllegalArgumentException when a key is shorter than {@value #MIN_KEY_BYTES} bytes (the message
     *                                  gives the length only, never the key)
     */
    public static CallbackToken withKeys(final byte[] key, final List<byte[]> previous) {
        Objects.requireNonNull(key, "callback HMAC key");
        Objects.requireNonNull(previous, "previous callback HMAC keys");
        checkLength(key, "The callback HMAC key");
        previous.forEach(old -> checkLength(old, "A previous callback HMAC key"));
        return new CallbackToken(key.clone(), previous.stream().map(byte[]::clone).toList());
    }

    private static void checkLength(final byte[] key, final String what) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(what + " must have at least " + MIN_KEY_BYTES + " bytes, it has "
                    + key.length);
        }
    }

    /** The token of {@code requestId} under the current key. */
    public String tokenFor(final String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        return encode(mac(key, requestId));
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
        final byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        boolean valid = MessageDigest.isEqual(tokenFor(requestId).getBytes(StandardCharsets.US_ASCII), presented);
        for (final SecretKeySpec old : previous) { // every key compared: the time does not tell which one matched
            valid |= MessageDigest.isEqual(encode(mac(old, requestId)).getBytes(StandardCharsets.US_ASCII), presented);
        }
        return valid;
    }

    /** The callback URL the provider is given for a job: {@code {bridgeBase}/callbacks/{requestId}?token=...}. */
    public URI callbackUrl(final URI bridgeBase, final String requestId) {
        final String base = bridgeBase.toString().replaceAll("/+$", "");
        return URI.create(base + "/callbacks/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8).replace("+", "%20")
                + "?token=" + tokenFor(requestId));
    }

    private static String encode(final byte[] mac) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    private static byte[] mac(final SecretKeySpec key, final String requestId) {
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
        return "CallbackToken[" + ALGORITHM + ", key hidden" + (previous.isEmpty() ? "" : ", "
                + previous.size() + " previous key(s) hidden") + "]";
    }
}
