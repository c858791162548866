package io.stemflow.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.registry.support.Users;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryUsersTest {

    @Test
    void shouldGiveRoleWhenPasswordMatchesAndNothingWhenWrongOrUnknown() {
        // given
        final RegistryUsers users = Users.threeRoles();

        // when / then
        assertThat(users.authenticate(Users.WRITER, Users.PASSWORD)).contains(Role.WRITER);
        assertThat(users.authenticate(Users.WRITER, Users.PASSWORD)).as("remembered").contains(Role.WRITER);
        assertThat(users.authenticate(Users.WRITER, Users.PASSWORD + "x")).isEmpty();
        assertThat(users.authenticate(Users.WRITER, "")).isEmpty();
        assertThat(users.authenticate("mallory", Users.PASSWORD)).isEmpty();
        assertThat(users.authenticate(Users.ADMIN, Users.PASSWORD)).contains(Role.ADMIN);
    }

    @Test
    void shouldLetEachRoleDoWhatTheRolesBelowItMay() {
        assertThat(Role.ADMIN.allows(Role.WRITER)).isTrue();
        assertThat(Role.ADMIN.allows(Role.READER)).isTrue();
        assertThat(Role.WRITER.allows(Role.READER)).isTrue();
        assertThat(Role.WRITER.allows(Role.ADMIN)).isFalse();
        assertThat(Role.READER.allows(Role.WRITER)).isFalse();
    }

    @Test
    void shouldNameEveryBadEntryWithoutShowingItsHashWhenParsing() {
        // given
        final String hash = PasswordHash.create("pw", PasswordHash.MIN_ITERATIONS).encoded();
        final List<String> lines = List.of(
                "alice:writer:" + hash,
                "bob:superuser:" + hash,
                "carol:admin:md5:deadbeef",
                "no-role-or-hash",
                "dave:reader:pbkdf2-sha256:10:c2FsdHNhbHQ=:" + hash.substring(hash.lastIndexOf(':') + 1),
                "alice:admin:" + hash);

        // when / then
        assertThatThrownBy(() -> RegistryUsers.parse("STEMFLOW_REGISTRY_USERS_FILE", lines))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STEMFLOW_REGISTRY_USERS_FILE entry 2 (user 'bob') has an unknown role")
                .hasMessageContaining("entry 3 (user 'carol'): the password hash must be pbkdf2-sha256")
                .hasMessageContaining("entry 4 must be user:role:")
                .hasMessageContaining("entry 5 (user 'dave'): the password hash needs at least 10000 iterations")
                .message().doesNotContain(hash.substring(hash.lastIndexOf(':') + 1)).doesNotContain("deadbeef");
    }

    @Test
    void shouldRefuseTheSameUserTwice() {
        final String hash = PasswordHash.create("pw", PasswordHash.MIN_ITERATIONS).encoded();
        assertThatThrownBy(() -> RegistryUsers.parse("X", List.of("a:reader:" + hash, "a:admin:" + hash)))
                .hasMessageContaining("user 'a' is listed twice");
    }

    @Test
    void shouldReadBackTheLineItWrites() {
        // given
        final String line = Users.line("ops", Role.ADMIN, "s3cret");

        // when
        final RegistryUsers users = RegistryUsers.parse("X", List.of(line));

        // then
        assertThat(users.authenticate("ops", "s3cret")).contains(Role.ADMIN);
        assertThat(users.toString()).isEqualTo("RegistryUsers[ops(admin)]").doesNotContain("pbkdf2");
        assertThat(PasswordHash.parse(line.substring("ops:admin:".length())).toString()).doesNotContain("=");
    }

    @Test
    void shouldHashWithTheDefaultIterationsWhenWritingALine() {
        // when
        final String line = RegistryUsers.line("svc", Role.WRITER, "pw");

        // then
        assertThat(line).startsWith("svc:writer:pbkdf2-sha256:" + PasswordHash.DEFAULT_ITERATIONS + ":");
        assertThat(RegistryUsers.parse("X", List.of(line)).authenticate("svc", "pw")).contains(Role.WRITER);
    }
}
