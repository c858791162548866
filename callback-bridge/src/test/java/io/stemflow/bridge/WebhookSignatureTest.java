package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.bridge.WebhookSignature.Verdict;
import io.stemflow.service.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private static final String TASK = "3e63b4cc88d52611159371f6af5571e7";
    private static final long NOW = Fixtures.NOW.getEpochSecond();

    private final WebhookSignature signature = Fixtures.signer();

    @Test
    void shouldMatchTheDocumentedFormulaWhenSigning() throws Exception {
        // given
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Fixtures.WEBHOOK_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        final String documented = Base64.getEncoder().encodeToString(
                mac.doFinal((TASK + "." + NOW).getBytes(StandardCharsets.UTF_8)));

        // when
        final String signed = signature.sign(TASK, NOW);

        // then
        assertThat(signed).isEqualTo(documented);
        assertThat(signature.verify(TASK, Long.toString(NOW), documented)).isEqualTo(Verdict.VALID);
    }

    @Test
    void shouldRejectWhenTheSignatureWasMadeWithAnotherKey() {
        // given
        final WebhookSignature forger = new WebhookSignature(Secret.utf8("another-key-0123456789"),
                Duration.ofMinutes(5), Fixtures.CLOCK);

        // when
        final Verdict verdict = signature.verify(TASK, Long.toString(NOW), forger.sign(TASK, NOW));

        // then
        assertThat(verdict).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void shouldRejectWhenTheSignatureBelongsToAnotherTaskOrTimestamp() {
        // given
        final String genuine = signature.sign(TASK, NOW);

        // when
        final Verdict otherTask = signature.verify("another-task", Long.toString(NOW), genuine);
        final Verdict otherTime = signature.verify(TASK, Long.toString(NOW - 1), genuine);

        // then
        assertThat(otherTask).isEqualTo(Verdict.MISMATCH);
        assertThat(otherTime).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void shouldRejectAsStaleWhenTheTimestampIsBeyondMaxAgeEitherWay() {
        // given
        final long old = NOW - 301;
        final long future = NOW + 301;

        // when
        final Verdict stale = signature.verify(TASK, Long.toString(old), signature.sign(TASK, old));
        final Verdict early = signature.verify(TASK, Long.toString(future), signature.sign(TASK, future));
        final Verdict edge = signature.verify(TASK, Long.toString(NOW - 300), signature.sign(TASK, NOW - 300));

        // then
        assertThat(stale).isEqualTo(Verdict.STALE);
        assertThat(early).isEqualTo(Verdict.STALE);
        assertThat(edge).isEqualTo(Verdict.VALID);
    }

    @Test
    void shouldRejectWhenHeadersAreMissingOrMalformed() {
        // given
        final String genuine = signature.sign(TASK, NOW);

        // when / then
        assertThat(signature.precheck(null, genuine)).isEqualTo(Verdict.MISSING);
        assertThat(signature.precheck(Long.toString(NOW), " ")).isEqualTo(Verdict.MISSING);
        assertThat(signature.precheck("yesterday", genuine)).isEqualTo(Verdict.MALFORMED);
        assertThat(signature.precheck("-5", genuine)).isEqualTo(Verdict.MALFORMED);
        assertThat(signature.verify(TASK, Long.toString(NOW), "not base64 !")).isEqualTo(Verdict.MALFORMED);
        assertThat(signature.verify(TASK, Long.toString(NOW), "")).isEqualTo(Verdict.MISSING);
    }

    @Test
    void shouldNeverShowTheKeyWhenPrinted() {
        // when
        final String printed = signature.toString();

        // then
        assertThat(printed).doesNotContain(Fixtures.WEBHOOK_KEY).contains("key hidden");
    }
}
