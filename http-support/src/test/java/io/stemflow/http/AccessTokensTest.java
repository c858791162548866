package io.stemflow.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.service.Settings;
import io.stemflow.service.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTokensTest {

    @Test
    void shouldReadSeveralTokensPerRoleWhenRotatingThroughAFile(@TempDir final Path dir) throws IOException {
        // given
        final Path operators = Files.writeString(dir.resolve("operators"),
                "# rotated 2026-12-06\nold-operator-token-123456\nnew-operator-token-654321\n");
        final Settings settings = new Settings("test", Map.of(
                AccessTokens.ENV_VIEWER, "viewer-token-aaaaaaaa, viewer-token-bbbbbbbb",
                AccessTokens.ENV_OPERATOR + "_FILE", operators.toString()));
        // when
        final AccessTokens tokens = AccessTokens.read(settings);
        settings.throwIfProblems();
        // then
        assertThat(tokens.roleOf("viewer-token-bbbbbbbb")).contains(Role.VIEWER);
        assertThat(tokens.roleOf("old-operator-token-123456")).contains(Role.OPERATOR);
        assertThat(tokens.roleOf("new-operator-token-654321")).contains(Role.OPERATOR);
        assertThat(tokens.roleOf("# rotated 2026-12-06")).isEmpty();
        assertThat(tokens.roleOf("")).isEmpty();
        assertThat(tokens.toString()).isEqualTo("AccessTokens[viewer=2, operator=2]").doesNotContain("token-");
    }

    @Test
    void shouldRefuseToStartWithoutTokensOrWithAShortOneAndNeverShowIt() {
        // given
        final Settings none = new Settings("query", Map.of());
        final Settings shortOne = new Settings("query", Map.of(AccessTokens.ENV_OPERATOR, "hunter2"));
        final Settings off = new Settings("query", Map.of(HttpAccess.ENV_AUTH, "off"));
        // when
        HttpAccess.read(none, java.util.List.of());
        HttpAccess.read(shortOne, java.util.List.of());
        final HttpAccess unauthenticated = HttpAccess.read(off, java.util.List.of());
        // then
        assertThatThrownBy(none::throwIfProblems).isInstanceOf(SettingsException.class)
                .hasMessageContaining(AccessTokens.ENV_OPERATOR).hasMessageContaining(HttpAccess.ENV_AUTH + "=off");
        assertThatThrownBy(shortOne::throwIfProblems).hasMessageContaining("shorter than 16")
                .hasMessageNotContaining("hunter2");
        off.throwIfProblems();
        assertThat(unauthenticated.auth()).isEqualTo(HttpAccess.Auth.OFF);
    }
}
