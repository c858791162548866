package io.stemflow.registry.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * The registry's users: one line each, {@code user:role:pbkdf2-sha256:<iterations>:<salt>:<hash>}
 * ({@link #line} writes one), read from {@code STEMFLOW_REGISTRY_USERS_FILE} or {@code STEMFLOW_REGISTRY_USERS}.
 *
 * <p>Checking a password costs a PBKDF2 derivation (about a third of a second at 600,000 iterations), so:
 * <ul>
 *   <li>a password once verified is remembered per user as a SHA-256 of it under a salt random per process, and the
 *       next request with it costs one SHA-256 (a changed password is derived again);</li>
 *   <li>an unknown user costs one derivation too (against a dummy hash), so timing does not tell which users
 *       exist;</li>
 *   <li>at most {@link #MAX_CONCURRENT_DERIVATIONS} derivations run at once, so a flood of wrong passwords takes
 *       that many cores, not all of them.</li>
 * </ul>
 * Every comparison is constant-time. {@code toString()} shows names and roles, never a hash.
 */
public final class RegistryUsers {

    /** A user name: what HTTP basic allows (no colon), without whitespace or control characters. */
    private static final Pattern NAME = Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]{1,128}");
    private static final int MAX_CONCURRENT_DERIVATIONS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    /** One user. */
    public record User(String name, Role role, PasswordHash hash) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(hash, "hash");
        }

        @Override
        public String toString() {
            return name + "(" + role.label() + ")";
        }
    }

    private final Map<String, User> users;
    private final PasswordHash dummy;
    private final byte[] cacheSalt = new byte[16];
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private final Semaphore derivations = new Semaphore(MAX_CONCURRENT_DERIVATIONS);

    private RegistryUsers(final Map<String, User> users) {
        this.users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
        this.dummy = PasswordHash.create("no such user", users.values().stream()
                .map(u -> u.hash().iterations()).max(Integer::compare).orElse(PasswordHash.MIN_ITERATIONS));
        new SecureRandom().nextBytes(cacheSalt);
    }

    /** These users (names must be unique). */
    public static RegistryUsers of(final List<User> list) {
        final Map<String, User> byName = new LinkedHashMap<>();
        for (final User user : list) {
            if (byName.putIfAbsent(user.name(), user) != null) {
                throw new IllegalArgumentException("user '" + user.name() + "' is listed twice");
            }
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("no user is listed");
        }
        return new RegistryUsers(byName);
    }

    /**
     * Reads the lines of a users file (blank and {@code #} lines already removed).
     *
     * @param source what the lines came from (a variable name), for the messages
     * @throws IllegalArgumentException naming every bad line by its number, never showing a hash
     */
    public static RegistryUsers parse(final String source, final List<String> lines) {
        final List<String> problems = new ArrayList<>();
        final List<User> parsed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            final String where = source + " entry " + (i + 1);
            final String[] parts = lines.get(i).strip().split(":", 3);
            if (parts.length != 3) {
                problems.add(where + " must be user:role:" + PasswordHash.SCHEME + ":<iterations>:<salt>:<hash>");
                continue;
            }
            if (!NAME.matcher(parts[0]).matches()) {
                problems.add(where + " has an invalid user name (1-128 printable ASCII characters, no ':' or space)");
                continue;
            }
            final Optional<Role> role = Role.parse(parts[1]);
            if (role.isEmpty()) {
                problems.add(where + " (user '" + parts[0] + "') has an unknown role: use reader, writer or admin");
                continue;
            }
            try {
                parsed.add(new User(parts[0], role.get(), PasswordHash.parse(parts[2])));
            } catch (IllegalArgumentException e) {
                problems.add(where + " (user '" + parts[0] + "'): " + e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            try {
                return of(parsed);
            } catch (IllegalArgumentException e) {
                problems.add(source + ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException(String.join("; ", problems));
    }

    /** A users file line for {@code user} with {@code role} and a fresh hash of {@code password}. */
    public static String line(final String user, final Role role, final String password) {
        if (!NAME.matcher(user).matches()) {
            throw new IllegalArgumentException("invalid user name (1-128 printable ASCII characters, no ':' or space)");
        }
        return user + ":" + role.label() + ":" + PasswordHash.create(password).encoded();
    }

    /** The role of {@code user} when {@code password} is theirs; empty otherwise (unknown user or wrong password). */
    public Optional<Role> authenticate(final String user, final String password) {
        final User known = users.get(user);
        final byte[] digest = digest(user, password);
        if (known != null) {
            final byte[] remembered = verified.get(user);
            if (remembered != null && MessageDigest.isEqual(remembered, digest)) {
                return Optional.of(known.role());
            }
        }
        final boolean matches = derive(known == null ? dummy : known.hash(), password) && known != null;
        if (!matches) {
            return Optional.empty();
        }
        verified.put(user, digest);
        return Optional.of(known.role());
    }

    /** The users, in the order they were listed. */
    public List<User> users() {
        return List.copyOf(users.values());
    }

    private boolean derive(final PasswordHash hash, final String password) {
        derivations.acquireUninterruptibly();
        try {
            return hash.matches(password);
        } finally {
            derivations.release();
        }
    }

    private byte[] digest(final String user, final String password) {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cacheSalt);
            sha.update(user.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return sha.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "RegistryUsers" + users.values();
    }
}
