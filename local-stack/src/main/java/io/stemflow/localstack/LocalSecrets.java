package io.stemflow.localstack;

import io.stemflow.http.AccessTokens;
import io.stemflow.service.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The local stack's own secrets (the emulator's API key, the callback HMAC key, the HTTP services' viewer
 * and operator tokens), made once per data directory under {@code secrets/} with owner-only permissions,
 * and handed to services through files or their environment — never printed except the emulator's key,
 * which is a local stand-in and is written to stack.json on purpose so tools can call the emulator. Of the
 * tokens, stack.json holds only the files' paths: the CLI reads the files, which only their owner can.
 */
record LocalSecrets(String providerApiKey, Path providerApiKeyFile, String callbackHmacKey, Path callbackHmacKeyFile,
                    Path viewerTokenFile, Path operatorTokenFile) {

    static LocalSecrets in(final Path dataDir) {
        final Path dir = dataDir.resolve("secrets");
        final Path apiKey = dir.resolve("provider-api-key");
        final Path hmac = dir.resolve("callback-hmac-key");
        final Path viewer = dir.resolve("viewer-token");
        final Path operator = dir.resolve("operator-token");
        readOrCreate(viewer, "");
        readOrCreate(operator, "");
        return new LocalSecrets(readOrCreate(apiKey, "sk-local-"), apiKey, readOrCreate(hmac, ""), hmac, viewer,
                operator);
    }

    /**
     * The tokens as the services read them ({@code STEMFLOW_VIEWER_TOKENS_FILE}, {@code STEMFLOW_OPERATOR_TOKENS_FILE}):
     * 32 random bytes each, url-safe base64.
     */
    Map<String, String> tokenFiles() {
        return Map.of(AccessTokens.ENV_VIEWER + Settings.FILE_SUFFIX, viewerTokenFile.toAbsolutePath().toString(),
                AccessTokens.ENV_OPERATOR + Settings.FILE_SUFFIX, operatorTokenFile.toAbsolutePath().toString());
    }

    private static String readOrCreate(final Path file, final String prefix) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(file.getParent());
            final byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            final String value = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Files.writeString(file, value, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort on non-POSIX file systems
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the local secret file " + file, e);
        }
    }

    @Override
    public String toString() {
        return "LocalSecrets[hidden]";
    }
}
