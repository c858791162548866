package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.Role;
import io.stemflow.serde.registry.RegistryAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack's registry users: made once per data directory, owner-only, hashes only in the users file. */
class RegistryCredentialsTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldMakeOwnerOnlyPasswordsAndAUsersFileOfTheirHashesWhenTheDataDirectoryIsNew() throws Exception {
        // when
        final RegistryCredentials credentials = RegistryCredentials.in(dataDir);

        // then
        final String services = Files.readString(credentials.servicesPasswordFile()).strip();
        final String admin = Files.readString(credentials.adminPasswordFile()).strip();
        final RegistryAccess.Basic access = (RegistryAccess.Basic) credentials.access();
        assertThat(access.openReads()).isTrue();
        assertThat(access.users().authenticate(RegistryCredentials.SERVICES_USER, services)).contains(Role.WRITER);
        assertThat(access.users().authenticate(RegistryCredentials.ADMIN_USER, admin)).contains(Role.ADMIN);
        assertThat(Files.readString(credentials.usersFile())).doesNotContain(services).doesNotContain(admin);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.usersFile().getParent())))
                .isEqualTo("rwx------");
        for (final Path file : new Path[] {credentials.servicesPasswordFile(), credentials.adminPasswordFile(),
                credentials.usersFile()}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void shouldKeepThePasswordsWhenTheStackStartsAgain() throws Exception {
        // given
        final RegistryCredentials first = RegistryCredentials.in(dataDir);
        final String admin = Files.readString(first.adminPasswordFile());

        // when
        final RegistryCredentials again = RegistryCredentials.in(dataDir);

        // then
        assertThat(Files.readString(again.adminPasswordFile())).isEqualTo(admin);
    }

    @Test
    void shouldNameOnlyTheAdminsPasswordFileInStackJson() throws Exception {
        // given
        final RegistryCredentials credentials = RegistryCredentials.in(dataDir);
        final String admin = Files.readString(credentials.adminPasswordFile()).strip();
        final Path stackFile = dataDir.resolve("stack.json");

        // when
        new StackInfo("127.0.0.1:9092", "http://127.0.0.1:8081", dataDir.toString(), 1, Instant.EPOCH, Map.of(),
                credentials.stackEntries()).writeTo(stackFile);
        final StackInfo read = StackInfo.readFrom(stackFile);

        // then
        assertThat(Files.readString(stackFile)).doesNotContain(admin).doesNotContain("\"registry\"");
        assertThat(read.registry().auth()).isEqualTo(RegistryAuth.basic(RegistryCredentials.ADMIN_USER, admin));
        assertThat(read.registry().urls()).isEqualTo("http://127.0.0.1:8081");
        assertThat(credentials.servicesEnv()).containsEntry("STEMFLOW_SCHEMA_REGISTRY_USER", "stemflow-services")
                .containsEntry("STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE",
                        credentials.servicesPasswordFile().toAbsolutePath().toString());
    }
}
