package io.stemflow.cli;

import java.nio.file.Path;
import java.util.Map;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * Where {@code stemflow dev} logs: the console shows stemflow's own lines, and everything (Kafka's
 * clients included: their warnings about a broker that is still starting or already gone are
 * noise on a console) goes to a file under the data directory. The switch is in {@code log4j2.xml}
 * (its {@code stemflow.log.file} arbiter); this class sets the two properties it reads, once, at
 * the start of the command, and reloads the configuration.
 */
final class StackLogging {

    static final String FILE_PROPERTY = "stemflow.log.file";
    static final String ANSI_PROPERTY = "stemflow.log.ansi";

    private StackLogging() {
    }

    /** Sends everything to {@code file} and stemflow's lines to the console, in colour if {@code ansi}. */
    static void toFile(final Path file, final boolean ansi) {
        System.setProperty(FILE_PROPERTY, file.toAbsolutePath().toString());
        System.setProperty(ANSI_PROPERTY, Boolean.toString(ansi));
        LoggerContext.getContext(false).reconfigure();
    }

    /**
     * Colour only for a person at a terminal who did not opt out: {@code terminal} (the console is
     * one), no non-empty {@code NO_COLOR} (no-color.org), and a {@code TERM} other than {@code dumb}.
     */
    static boolean ansi(final boolean terminal, final Map<String, String> env) {
        final String noColor = env.get("NO_COLOR");
        return terminal && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }

    /** Whether this JVM's console is a terminal (Java 17: {@code System.console()} exists only then). */
    static boolean consoleIsTerminal() {
        return System.console() != null;
    }
}
