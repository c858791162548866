package io.stemflow.localstack;

import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.RegistryUsers;
import io.stemflow.registry.auth.Role;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.service.OwnerOnly;
import io.stemflow.service.SecretFile;
import io.stemflow.service.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The local stack's schema registry users, made once per data directory under {@code secrets/registry/} (0700,
 * files 0600): {@value #SERVICES_USER} (writer: the bridge, the pipeline and the gateway register their schemas)
 * and {@value #ADMIN_USER} (admin: the CLI and the demo). Each password is 32 random bytes in a file of its own;
 * {@code users} holds only their PBKDF2 hashes and is written again when a password file is newer. The services get
 * the password through {@code STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE}; stack.json names the admin's file, never a
 * password.
 */
record RegistryCredentials(Path servicesPasswordFile, Path adminPasswordFile, Path usersFile) {

    static final String SERVICES_USER = "stemflow-services";
    static final String ADMIN_USER = "stemflow-admin";

    static RegistryCredentials in(final Path dataDir) {
        final Path dir = OwnerOnly.directory(dataDir.resolve("secrets").resolve("registry"));
        final RegistryCredentials credentials = new RegistryCredentials(dir.resolve("services-password"),
                dir.resolve("admin-password"), dir.resolve("users"));
        credentials.create();
        return credentials;
    }

    /** HTTP basic for the two users; reads open. */
    RegistryAccess access() {
        try {
            return RegistryAccess.basic(RegistryUsers.parse(usersFile.toString(),
                    SecretFile.values(usersFile.toString(), usersFile)), true);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + " (delete " + usersFile + " to have it written again)", e);
        }
    }

    /** What a service needs in its environment to register as {@value #SERVICES_USER}. */
    Map<String, String> servicesEnv() {
        return Map.of(RegistryConnection.ENV_USER, SERVICES_USER,
                RegistryConnection.ENV_PASSWORD_FILE, servicesPasswordFile.toAbsolutePath().toString());
    }

    /** A connection to the registry at {@code url} as {@value #ADMIN_USER}. */
    RegistryConnection adminConnection(final String url) {
        return RegistryConnection.read(new Settings("local stack", Map.of(RegistryConnection.ENV_USER, ADMIN_USER,
                        RegistryConnection.ENV_PASSWORD_FILE, adminPasswordFile.toAbsolutePath().toString())), url)
                .orElseThrow();
    }

    /** stack.json's credentials entries: the admin's name and password file (the CLI and the demo use them). */
    Map<String, String> stackEntries() {
        return Map.of(StackInfo.REGISTRY_USER, ADMIN_USER,
                StackInfo.REGISTRY_PASSWORD_FILE, adminPasswordFile.toAbsolutePath().toString());
    }

    private void create() {
        try {
            final boolean fresh = createPassword(servicesPasswordFile) | createPassword(adminPasswordFile);
            if (fresh || !Files.exists(usersFile)
                    || Files.getLastModifiedTime(usersFile).compareTo(Files.getLastModifiedTime(servicesPasswordFile)) < 0
                    || Files.getLastModifiedTime(usersFile).compareTo(Files.getLastModifiedTime(adminPasswordFile)) < 0) {
                OwnerOnly.writeString(usersFile, String.join("\n", List.of(
                        "# the local stack's schema registry users (user:role:pbkdf2 hash); passwords in the files beside",
                        RegistryUsers.line(SERVICES_USER, Role.WRITER, password(servicesPasswordFile)),
                        RegistryUsers.line(ADMIN_USER, Role.ADMIN, password(adminPasswordFile)))) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the registry's users under " + usersFile.getParent(), e);
        }
    }

    private static boolean createPassword(final Path file) {
        if (Files.exists(file)) {
            return false;
        }
        final byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        OwnerOnly.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\n");
        return true;
    }

    private static String password(final Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    @Override
    public String toString() {
        return "RegistryCredentials[" + usersFile.getParent() + ", passwords hidden]";
    }
}
