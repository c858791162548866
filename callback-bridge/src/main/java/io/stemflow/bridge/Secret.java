package io.stemflow.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Key material (HMAC keys, keystore passwords). Its {@link #toString()} never shows the value, so
 * a secret can sit in a config record that gets logged; the bytes are copied in and out.
 */
public final class Secret {

    private final byte[] value;

    private Secret(final byte[] value) {
        this.value = value.clone();
    }

    public static Secret of(final byte[] value) {
        return new Secret(Objects.requireNonNull(value, "value"));
    }

    /** The UTF-8 bytes of {@code value}: how keys given as environment text are read. */
    public static Secret utf8(final String value) {
        return new Secret(Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return value.clone();
    }

    /** The value as characters (keystore passwords); the caller should not keep it longer than needed. */
    public char[] chars() {
        return new String(value, StandardCharsets.UTF_8).toCharArray();
    }

    public int length() {
        return value.length;
    }

    @Override
    public String toString() {
        return "Secret[hidden]";
    }
}
