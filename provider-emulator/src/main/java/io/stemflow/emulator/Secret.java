package io.stemflow.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A secret string (API key, admin token, webhook key). Its {@link #toString()} never shows the value, so a
 * secret can sit in a record or a log argument without leaking; {@link #reveal()} is the only way out.
 *
 * <p>{@link #id()} is a short, stable, non-reversible name for the secret (the first 12 hex digits of its
 * SHA-256), used to name API keys in counters, logs and the admin API.
 */
public final class Secret {

    private final String value;
    private final byte[] digest;

    private Secret(final String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /**
     * @throws IllegalArgumentException when the value is null, blank or contains whitespace
     */
    public static Secret of(final String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a secret must not be blank");
        }
        if (value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a secret must not contain whitespace");
        }
        return new Secret(value);
    }

    /** The secret itself: only for the places that must send or compare it. */
    public String reveal() {
        return value;
    }

    /** Short public name of this secret: the first 12 hex digits of its SHA-256. */
    public String id() {
        return HexFormat.of().formatHex(digest, 0, 6);
    }

    /** Compares in constant time (over the digests), so the answer time does not tell how much matched. */
    public boolean matches(final String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    static byte[] sha256(final String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof Secret that && MessageDigest.isEqual(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id());
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
