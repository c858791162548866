package io.stemflow.pipeline.provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A secret (the provider API key, the callback HMAC key). {@link #toString()} never shows the value, so a secret
 * can sit in a record, a log argument or an exception message without leaking; {@link #reveal()} and
 * {@link #bytes()} are the only ways out, for the places that must send or use it.
 *
 * <p>{@link #id()} is a short, stable, non-reversible name (the first 12 hex digits of its SHA-256), the same
 * scheme the provider emulator uses to name keys, so logs can say which key without showing it.
 */
public final class Secret {

    private final String value;

    private Secret(final String value) {
        this.value = value;
    }

    /**
     * @param name what the secret is, for the error message (never the value)
     * @throws IllegalArgumentException when the value is blank or contains whitespace
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

    /** The secret itself, to put into a header. */
    public String reveal() {
        return value;
    }

    /** The secret's UTF-8 bytes, to key an HMAC. */
    public byte[] bytes() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** Short public name: the first 12 hex digits of the SHA-256 of the value. */
    public String id() {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes());
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof Secret that && MessageDigest.isEqual(bytes(), that.bytes());
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
