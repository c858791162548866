package io.stemflow.schemas.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallbackTokenTest {

    private static final byte[] KEY = "0123456789abcdef-test-key".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldAcceptTheTokenItMadeWhenTheRequestIdMatches() {
        // given
        final CallbackToken tokens = CallbackToken.withKey(KEY);

        // when
        final String token = tokens.tokenFor("req-0001");

        // then
        assertThat(tokens.verify("req-0001", token)).isTrue();
        assertThat(tokens.verify("req-0002", token)).isFalse();
        assertThat(CallbackToken.withKey("another-key-of-16+bytes".getBytes(StandardCharsets.UTF_8))
                .verify("req-0001", token)).isFalse();
    }

    @Test
    void shouldRejectMalformedTokensWhenVerifying() {
        final CallbackToken tokens = CallbackToken.withKey(KEY);
        assertThat(tokens.verify("req-0001", null)).isFalse();
        assertThat(tokens.verify("req-0001", "%%%not-base64")).isFalse();
        assertThat(tokens.verify("req-0001", "")).isFalse();
    }

    @Test
    void shouldAcceptOnlyTheCanonicalSpellingWhenTheTokenDecodesToTheSameBytes() {
        // given: the probe's spellings of one genuine token: the final character with other unused low bits
        // (base64 of 32 bytes leaves two), and the padded form
        final CallbackToken tokens = CallbackToken.withKey(KEY);
        final String canonical = tokens.tokenFor("req-0001");
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        final int last = alphabet.indexOf(canonical.charAt(canonical.length() - 1));
        final java.util.List<String> respellings = new java.util.ArrayList<>();
        for (int lowBits = 1; lowBits < 4; lowBits++) {
            respellings.add(canonical.substring(0, canonical.length() - 1) + alphabet.charAt(last ^ lowBits));
        }
        respellings.add(canonical + "=");

        // when / then
        assertThat(respellings).allSatisfy(spelling ->
                assertThat(java.util.Base64.getMimeDecoder().decode(spelling.replace('-', '+').replace('_', '/')))
                        .as("decodes to the same bytes").isEqualTo(java.util.Base64.getUrlDecoder().decode(canonical)));
        assertThat(tokens.verify("req-0001", canonical)).isTrue();
        assertThat(respellings).noneMatch(spelling -> tokens.verify("req-0001", spelling));
    }

    @Test
    void shouldBuildAnEncodedCallbackUrlWhenTheRequestIdHasSpecialCharacters() {
        // given
        final CallbackToken tokens = CallbackToken.withKey(KEY);

        // when
        final URI url = tokens.callbackUrl(URI.create("http://127.0.0.1:8090/"), "batch 1/track#7");

        // then
        assertThat(url.getRawPath()).isEqualTo("/callbacks/batch%201%2Ftrack%237");
        assertThat(url.getRawQuery()).isEqualTo("token=" + tokens.tokenFor("batch 1/track#7"));
    }

    @Test
    void shouldNeverShowTheKeyWhenPrintedOrRefused() {
        assertThat(CallbackToken.withKey(KEY).toString()).doesNotContain("0123456789abcdef");
        assertThatThrownBy(() -> CallbackToken.withKey("short-secret".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("16 bytes")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void shouldAcceptTokensOfAPreviousKeyWhenTheKeyIsRotatedAndRefuseThoseOfAnyOtherKey() {
        // given: jobs submitted under the old key, the bridge listing it as previous, the submitter on the new key
        final byte[] oldKey = "old-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        final byte[] newKey = "new-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        final CallbackToken bridge = CallbackToken.withKeys(newKey, List.of(oldKey));
        final String underOldKey = CallbackToken.withKey(oldKey).tokenFor("r1");
        final String underNewKey = CallbackToken.withKey(newKey).tokenFor("r1");
        final String underOtherKey = CallbackToken.withKey("other-key-0123456789abc".getBytes(StandardCharsets.UTF_8))
                .tokenFor("r1");
        // when / then
        assertThat(bridge.verify("r1", underOldKey)).isTrue();
        assertThat(bridge.verify("r1", underNewKey)).isTrue();
        assertThat(bridge.verify("r1", underOtherKey)).isFalse();
        assertThat(bridge.verify("r2", underOldKey)).isFalse();
        assertThat(bridge.tokenFor("r1")).isEqualTo(underNewKey);
        assertThat(bridge.toString()).doesNotContain("old-key").doesNotContain("new-key")
                .contains("1 previous key(s) hidden");
        assertThatThrownBy(() -> CallbackToken.withKeys(newKey,
                        List.of("short".getBytes(StandardCharsets.UTF_8))))
                .hasMessage("A previous callback HMAC key must have at least 16 bytes, it has 5");
    }
}
