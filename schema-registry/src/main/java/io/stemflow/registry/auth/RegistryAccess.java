package io.stemflow.registry.auth;

import java.util.Objects;

/** Who may use the registry: everyone for everything ({@link Off}), or {@link Basic} users by role. */
public sealed interface RegistryAccess {

    /** No authentication: every request is served. Only for tests and throw-away registries on loopback. */
    static RegistryAccess off() {
        return new Off();
    }

    /** HTTP basic for {@code users}; reads need no credentials when {@code openReads}. */
    static RegistryAccess basic(final RegistryUsers users, final boolean openReads) {
        return new Basic(users, openReads);
    }

    /** No authentication. */
    record Off() implements RegistryAccess {
    }

    /**
     * HTTP basic authentication. State changes always need a user of the right role (register: writer; config,
     * deletes: admin); reads need a reader unless {@code openReads}.
     */
    record Basic(RegistryUsers users, boolean openReads) implements RegistryAccess {
        public Basic {
            Objects.requireNonNull(users, "users");
        }
    }
}
