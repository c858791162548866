package io.stemflow.registry.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a registry user may do. Each role includes the ones before it: a {@link #WRITER} may also read, an
 * {@link #ADMIN} may also register.
 */
public enum Role {
    /** Reads (only needed when reads are closed: {@code STEMFLOW_REGISTRY_OPEN_READS=false}). */
    READER,
    /** Registers schemas ({@code POST /subjects/{subject}/versions}): what the services' serdes do. */
    WRITER,
    /** Changes compatibility levels and deletes subjects and versions: an operator. */
    ADMIN;

    /** Whether this role may do what {@code needed} may. */
    public boolean allows(final Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The lower-case name used in the users file and in messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text} (case-insensitive), if it is one. */
    public static Optional<Role> parse(final String text) {
        for (final Role role : values()) {
            if (role.label().equalsIgnoreCase(text.strip())) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
