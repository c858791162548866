package io.stemflow.bridge;

import io.stemflow.service.Secret;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS served by the bridge itself: a keystore holding the server's key and certificate chain.
 *
 * @param keystore     path of the keystore file
 * @param password     password of the keystore and of the key in it
 * @param keystoreType {@code PKCS12} (default) or {@code JKS}
 */
public record TlsSettings(Path keystore, Secret password, String keystoreType) {

    public TlsSettings {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(keystoreType, "keystoreType");
    }
}
