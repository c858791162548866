package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.avro.SeparationResult;
import io.stemflow.schemas.provider.CallbackToken;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating the callback HMAC key without losing a callback: the bridge takes the new key and lists the old one in
 * STEMFLOW_CALLBACK_HMAC_PREVIOUS_KEYS(_FILE); jobs the submitter signed under the old key still call back.
 */
class CallbackKeyRotationTest {

    private static final String BODY = "{\"code\": 200, \"msg\": \"ok\", \"data\": {\"task_id\": \"task-1\","
            + " \"vocal_removal_info\": {\"vocal_url\": \"https://x/v.mp3\"}}}";
    private static final String NEW_KEY = "rotated-callback-key-0123456789";

    @Test
    void shouldAcceptCallbacksSignedWithThePreviousKeyAndRefuseOthersWhenTheKeyIsRotated(@TempDir final Path dir)
            throws Exception {
        // given: the old key (the fixtures' own) kept as previous, in a file, and a new current key
        final Path previous = Files.writeString(dir.resolve("previous-keys"), "# until 2026-12-07\n"
                + Fixtures.CALLBACK_KEY + "\n");
        final Map<String, String> env = Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results");
        env.put(BridgeConfig.ENV_CALLBACK_HMAC_KEY, NEW_KEY);
        env.put(BridgeConfig.ENV_PREVIOUS_CALLBACK_KEYS + "_FILE", previous.toString());
        final MockProducer<String, SeparationResult> producer = Fixtures.mockProducer(true);
        final BridgeConfig config = BridgeConfig.fromEnv(env);
        try (CallbackBridge bridge = CallbackBridge.start(config, producer, Fixtures.CLOCK)) {
            final CallbackToken oldSigner = Fixtures.token();
            final CallbackToken newSigner = CallbackToken.withKey(NEW_KEY.getBytes(StandardCharsets.UTF_8));
            final CallbackToken stranger = CallbackToken.withKey("a-key-nobody-listed-0123".getBytes(StandardCharsets.UTF_8));

            // when
            final HttpResponse<String> inFlight = new CallbackClient(bridge.url(), oldSigner).post("req-old", BODY);
            final HttpResponse<String> fresh = new CallbackClient(bridge.url(), newSigner).post("req-new", BODY);
            final HttpResponse<String> forged = new CallbackClient(bridge.url(), stranger).post("req-forged", BODY);

            // then
            assertThat(inFlight.statusCode()).isEqualTo(200);
            assertThat(fresh.statusCode()).isEqualTo(200);
            assertThat(forged.statusCode()).isEqualTo(401);
            assertThat(producer.history()).extracting(r -> r.key()).containsExactly("req-old", "req-new");
        }
        assertThat(config.toString()).contains("previousCallbackKeys=1").doesNotContain(Fixtures.CALLBACK_KEY)
                .doesNotContain(NEW_KEY);
    }

    @Test
    void shouldNameTheSettingButNotTheKeyWhenAPreviousKeyIsTooShort() {
        // given
        final Map<String, String> env = Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results");
        env.put(BridgeConfig.ENV_PREVIOUS_CALLBACK_KEYS, "tiny-old-key");
        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageContaining(BridgeConfig.ENV_PREVIOUS_CALLBACK_KEYS)
                .hasMessageNotContaining("tiny-old-key");
    }
}
