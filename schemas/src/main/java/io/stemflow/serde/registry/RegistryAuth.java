package io.stemflow.serde.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How the client authenticates to the registry. {@code toString()} never shows a credential, so a
 * config record holding one can be logged.
 */
public sealed interface RegistryAuth {

    /** The value of the {@code Authorization} header, if any. Never log it. */
    Optional<String> authorizationHeader();

    static RegistryAuth none() {
        return None.INSTANCE;
    }

    static RegistryAuth basic(String username, String password) {
        return new Basic(username, password);
    }

    static RegistryAuth bearer(String token) {
        return new Bearer(token);
    }

    /** No authentication. */
    record None() implements RegistryAuth {
        static final None INSTANCE = new None();

        @Override
        public Optional<String> authorizationHeader() {
            return Optional.empty();
        }
    }

    /** HTTP basic: {@code Authorization: Basic base64(username:password)}. */
    record Basic(String username, String password) implements RegistryAuth {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public Optional<String> authorizationHeader() {
            final String pair = username + ":" + password;
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "Basic[username=***, password=***]";
        }
    }

    /** A static bearer token: {@code Authorization: Bearer <token>}. */
    record Bearer(String token) implements RegistryAuth {
        public Bearer {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public Optional<String> authorizationHeader() {
            return Optional.of("Bearer " + token);
        }

        @Override
        public String toString() {
            return "Bearer[token=***]";
        }
    }
}
