package io.stemflow.serde.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RegistryUrlsTest {

    @Test
    void shouldStripUserInfoAndTrailingSlashesWhenParsing() {
        // when
        final RegistryUrls.Parsed parsed =
                RegistryUrls.parse(" http://a:8081/ , HTTPS://us%3Aer:p%40ss:w@b.example:8443/apis/ccompat/v7 ");

        // then
        assertThat(parsed.urls())
                .containsExactly(URI.create("http://a:8081"), URI.create("https://b.example:8443/apis/ccompat/v7"));
        assertThat(parsed.userInfo()).contains(new RegistryAuth.Basic("us:er", "p@ss:w"));
    }

    @Test
    void shouldHaveNoUserInfoWhenNoUrlCarriesAny() {
        assertThat(RegistryUrls.parse("http://a:8081").userInfo()).isEmpty();
    }

    @Test
    void shouldNotShowTheCredentialsWhenAnEntryIsInvalid() {
        assertThatThrownBy(() -> RegistryUrls.parse("http://ok:1,ftp://alice:s3cret@host:21"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'ftp://host:21' must use http or https");
        assertThatThrownBy(() -> RegistryUrls.parse("alice:s3cret@host:21"))
                .hasMessage("'***@host:21' is not an absolute http(s) URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        assertThatThrownBy(() -> RegistryUrls.parse("http://alice@host:21"))
                .hasMessageNotContaining("alice")
                .hasMessageContaining("must be user:password");
        assertThatThrownBy(() -> RegistryUrls.parse(" , "))
                .hasMessage("no URL given");
    }

    @Test
    void shouldReplaceEveryUserInfoWhenRedacting() {
        assertThat(RegistryUrls.redact("tried http://a:b@h1:1 and https://c:d@h2:2/x"))
                .isEqualTo("tried http://***@h1:1 and https://***@h2:2/x");
    }

    @Test
    void shouldHideCredentialsWhenAuthIsPrinted() {
        assertThat(RegistryAuth.basic("alice", "s3cret").toString()).doesNotContain("alice", "s3cret");
        assertThat(RegistryAuth.bearer("tok-123").toString()).doesNotContain("tok-123");
        assertThat(RegistryClientConfig.of("http://alice:s3cret@h:1").toString()).doesNotContain("alice", "s3cret");
    }
}
