package io.stemflow.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A secret (API key, admin token, HMAC key, keystore password): the one class every service uses. Its
 * {@link #toString()} never shows the value, so a secret can sit in a config record, a log argument or an
 * exception message without leaking; {@link #reveal()}, {@link #bytes()} and {@link #chars()} are the only ways
 * out, for the places that must send or use it.
 *
 * <p>{@link #id()} is a short, stable, non-reversible name (the first 12 hex digits of the SHA-256 of the UTF-8
 * value), so logs, counters and the emulator's admin API can say which key without showing it.
 * {@link #equals(Object)} and {@link #matches(String)} compare digests in constant time, so the time an answer
 * takes does not tell how much of a guess matched.
 */
public final class Secret {

    private final String value;
    private final byte[] digest;

    private Secret(final String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /**
     * A secret that goes into a header or a token: not blank, no whitespace.
     *
     * @param name what the secret is, for the error message (never the value)
     * @throws IllegalArgumentException naming {@code name} when the value is blank or contains whitespace
     */
    public static Secret of(final String name, final String value) {
        Objects.requireNonNull(name, "name");
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        if (value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(name + " must not contain whitespace");
        }
        return new Secret(value);
    }

    /** {@link #of(String, String)} with a generic name in the error message. */
    public static Secret of(final String value) {
        return of("a secret", value);
    }

    /** Any text as it is (a keystore password may hold spaces); only its UTF-8 bytes are used. */
    public static Secret utf8(final String value) {
        return new Secret(Objects.requireNonNull(value, "value"));
    }

    /** The secret itself: only for the places that must send or compare it. */
    public String reveal() {
        return value;
    }

    /** A fresh copy of the UTF-8 bytes, to key an HMAC. */
    public byte[] bytes() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** The value as characters (keystore passwords); the caller should not keep it longer than needed. */
    public char[] chars() {
        return value.toCharArray();
    }

    /** Length in UTF-8 bytes (what an HMAC key's minimum is measured in). */
    public int length() {
        return bytes().length;
    }

    /** Short public name: the first 12 hex digits of the SHA-256 of the value. */
    public String id() {
        return HexFormat.of().formatHex(digest, 0, 6);
    }

    /** Whether {@code candidate} is this secret, compared in constant time over the digests. */
    public boolean matches(final String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    private static byte[] sha256(final String text) {
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
        return id().hashCode();
    }

    @Override
    public String toString() {
        return "Secret[hidden]";
    }
}
