package io.stemflow.service;

import java.util.List;

/**
 * A service's configuration is invalid. The message lists every problem, each naming its environment variable
 * (never a secret's value), so one start-up attempt shows them all; {@link ServiceMain} prints it and exits 2.
 */
public class SettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public SettingsException(final String service, final List<String> problems) {
        super("Invalid " + service + " configuration: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, naming its variable. */
    public List<String> problems() {
        return problems;
    }
}
