package io.stemflow.registry.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted PBKDF2-HMAC-SHA256 password hash, written {@code pbkdf2-sha256:<iterations>:<salt>:<hash>} (salt and
 * hash in standard Base64), so a users file holds no password and a copy of it gives none away.
 *
 * <p>{@link #matches} compares in constant time ({@link MessageDigest#isEqual}). The iteration count travels with
 * the hash, so it can be raised for new lines without touching old ones. Messages never show a hash or password.
 */
public final class PasswordHash {

    public static final String SCHEME = "pbkdf2-sha256";
    /** What {@link #create(String)} uses: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Fewer iterations than this are refused when a line is read. */
    public static final int MIN_ITERATIONS = 10_000;

    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(final int iterations, final byte[] salt, final byte[] hash) {
        this.iterations = iterations;
        this.salt = salt.clone();
        this.hash = hash.clone();
    }

    /** A new hash of {@code password} with a random salt and {@link #DEFAULT_ITERATIONS}. */
    public static PasswordHash create(final String password) {
        return create(password, DEFAULT_ITERATIONS);
    }

    /** A new hash of {@code password} with a random salt and {@code iterations} (at least {@link #MIN_ITERATIONS}). */
    public static PasswordHash create(final String password, final int iterations) {
        Objects.requireNonNull(password, "password");
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("a password hash needs at least " + MIN_ITERATIONS + " iterations");
        }
        final byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /**
     * Reads {@code pbkdf2-sha256:<iterations>:<salt>:<hash>}.
     *
     * @throws IllegalArgumentException saying what is wrong, without repeating the text
     */
    public static PasswordHash parse(final String text) {
        final String[] parts = text.strip().split(":", -1);
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            throw new IllegalArgumentException("the password hash must be " + SCHEME + ":<iterations>:<salt>:<hash>");
        }
        final int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the password hash's iteration count is not a number");
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("the password hash needs at least " + MIN_ITERATIONS + " iterations");
        }
        try {
            final byte[] salt = Base64.getDecoder().decode(parts[2]);
            final byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (salt.length < 8 || hash.length != HASH_BYTES) {
                throw new IllegalArgumentException("the password hash needs a salt of 8 or more bytes and a hash of "
                        + HASH_BYTES + " bytes");
            }
            return new PasswordHash(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the password hash")) {
                throw e;
            }
            throw new IllegalArgumentException("the password hash's salt or hash is not Base64");
        }
    }

    /** Whether {@code password} hashes to this hash (constant-time comparison). */
    public boolean matches(final String password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    /** How many PBKDF2 iterations this hash took. */
    public int iterations() {
        return iterations;
    }

    /** {@code pbkdf2-sha256:<iterations>:<salt>:<hash>}: what a users file line ends with. */
    public String encoded() {
        return SCHEME + ":" + iterations + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(hash);
    }

    private static byte[] derive(final String password, final byte[] salt, final int iterations) {
        final PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Only for equality in tests of the parser: same iterations, salt and hash. */
    @Override
    public boolean equals(final Object other) {
        return other instanceof PasswordHash that && iterations == that.iterations
                && MessageDigest.isEqual(salt, that.salt) && MessageDigest.isEqual(hash, that.hash);
    }

    @Override
    public int hashCode() {
        return iterations;
    }

    @Override
    public String toString() {
        return "PasswordHash[" + SCHEME + ", " + iterations + " iterations, hidden]";
    }
}
