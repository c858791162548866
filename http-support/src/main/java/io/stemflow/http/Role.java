package io.stemflow.http;

import java.util.Locale;

/** What a bearer token lets its holder do. An operator may do everything a viewer may. */
public enum Role {
    /** Reads: every GET of the query API, the gateway's status, the emulator's admin state. */
    VIEWER,
    /** Also the control actions of the CLI: pause, resume, cancel, replay, grants, the emulator's admin changes. */
    OPERATOR;

    public boolean allows(final Role needed) {
        return compareTo(needed) >= 0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
