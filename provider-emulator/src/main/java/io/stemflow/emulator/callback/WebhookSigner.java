package io.stemflow.emulator.callback;

import io.stemflow.service.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The provider's optional callback signature: {@code X-Webhook-Timestamp} (unix seconds) and
 * {@code X-Webhook-Signature = base64(HMAC-SHA256(task_id + "." + timestamp, webhookKey))}.
 */
public final class WebhookSigner {

    public static final String TIMESTAMP_HEADER = "X-Webhook-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Webhook-Signature";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public WebhookSigner(final Secret webhookKey) {
        this.key = new SecretKeySpec(webhookKey.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    public String sign(final String taskId, final long epochSeconds) {
        try {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            final byte[] digest = mac.doFinal((taskId + "." + epochSeconds).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (final NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("cannot compute " + ALGORITHM + " webhook signature", e);
        }
    }
}
