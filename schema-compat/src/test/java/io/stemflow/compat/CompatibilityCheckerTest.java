package io.stemflow.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.compat.CompatibilityChecker.Earlier;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompatibilityCheckerTest {

    private static final Schema WITH_A = parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
    private static final Schema WITH_A_AND_B = parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
            + "{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}]}");

    private final CompatibilityChecker checker = new CompatibilityChecker();

    @ParameterizedTest
    @EnumSource(CompatibilityLevel.class)
    void shouldAcceptAnythingWhenHistoryEmpty(final CompatibilityLevel level) {
        assertThat(checker.check(level, WITH_A_AND_B, List.of()).compatible()).isTrue();
    }

    @Test
    void shouldRejectBackwardWhenNewFieldHasNoDefault() {
        // when
        final CompatibilityChecker.Result result =
                checker.check(CompatibilityLevel.BACKWARD, WITH_A_AND_B, List.of(new Earlier(4, WITH_A)));

        // then
        assertThat(result.compatible()).isFalse();
        assertThat(result.messages()).singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("version 4");
    }

    @Test
    void shouldAcceptForwardButNotBackwardWhenFieldAddedWithoutDefault() {
        // given
        final List<Earlier> history = List.of(new Earlier(1, WITH_A));

        // when / then
        assertThat(checker.check(CompatibilityLevel.FORWARD, WITH_A_AND_B, history).compatible()).isTrue();
        assertThat(checker.check(CompatibilityLevel.FULL, WITH_A_AND_B, history).compatible()).isFalse();
        assertThat(checker.check(CompatibilityLevel.NONE, WITH_A_AND_B, history).compatible()).isTrue();
    }

    @Test
    void shouldCheckOnlyLatestWhenLevelNotTransitive() {
        // given an old version the candidate cannot read, then one it can
        final List<Earlier> history = List.of(new Earlier(1, WITH_A), new Earlier(2, WITH_A_AND_B));

        // when / then
        assertThat(checker.check(CompatibilityLevel.BACKWARD, WITH_A_AND_B, history).compatible()).isTrue();
        assertThat(checker.check(CompatibilityLevel.BACKWARD_TRANSITIVE, WITH_A_AND_B, history).compatible()).isFalse();
    }

    @Test
    void shouldParseLevelsCaseInsensitivelyWhenNamed() {
        assertThat(CompatibilityLevel.parse("full_transitive")).contains(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(CompatibilityLevel.parse("sideways")).isEmpty();
        assertThat(CompatibilityLevel.parse(null)).isEmpty();
    }

    private static Schema parse(final String text) {
        return new Schema.Parser().parse(text);
    }
}
