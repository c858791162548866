package io.stemflow.registry.support;

import io.stemflow.registry.auth.PasswordHash;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.RegistryUsers;
import io.stemflow.registry.auth.Role;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Registry users for tests: hashed with the fewest iterations allowed, so a test does not wait on PBKDF2. */
public final class Users {

    public static final String READER = "rita";
    public static final String WRITER = "walt";
    public static final String ADMIN = "ada";
    public static final String PASSWORD = "correct horse battery staple";

    private Users() {
    }

    /** {@code user:role:hash} with a cheap hash of {@code password}. */
    public static String line(final String user, final Role role, final String password) {
        return user + ":" + role.label() + ":" + PasswordHash.create(password, PasswordHash.MIN_ITERATIONS).encoded();
    }

    /** A reader, a writer and an admin, each with {@link #PASSWORD}. */
    public static RegistryUsers threeRoles() {
        return RegistryUsers.parse("test users", List.of(line(READER, Role.READER, PASSWORD),
                line(WRITER, Role.WRITER, PASSWORD), line(ADMIN, Role.ADMIN, PASSWORD)));
    }

    public static RegistryAccess basic(final boolean openReads) {
        return RegistryAccess.basic(threeRoles(), openReads);
    }

    /** The value of an {@code Authorization: Basic} header. */
    public static String basicHeader(final String user, final String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
