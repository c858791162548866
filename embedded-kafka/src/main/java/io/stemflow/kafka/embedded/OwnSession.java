package io.stemflow.kafka.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a child process in a session (and process group) of its own, so that a signal sent to
 * its parent's process group never reaches it: a terminal's Ctrl-C sends SIGINT to the whole
 * foreground group at once, and a broker child would then stop under the clients its parent is
 * still closing. The parent stops its children itself, in order.
 *
 * <p>Through util-linux's {@code setsid}, which calls {@code setsid(2)} and then execs the command
 * in place when the caller is not a process group leader (a freshly spawned child never is), so
 * the child's pid is the one {@link ProcessBuilder} reports. Where {@code setsid} is missing the
 * command runs as given, in its parent's group. Either way the child still dies with its parent:
 * that is the job of its stdin and parent-pid watch, which no session changes.
 */
public final class OwnSession {

    private static final Path SETSID = locate();

    private OwnSession() {
    }

    /** {@code command}, prefixed with {@code setsid} when this machine has it. */
    public static List<String> command(final List<String> command) {
        if (SETSID == null) {
            return command;
        }
        final List<String> wrapped = new ArrayList<>(command.size() + 1);
        wrapped.add(SETSID.toString());
        wrapped.addAll(command);
        return wrapped;
    }

    /** Whether children get a session of their own here (false where {@code setsid} is missing). */
    public static boolean available() {
        return SETSID != null;
    }

    private static Path locate() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return null; // BSD and macOS have no setsid command, and their setsid semantics differ
        }
        for (final String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            final Path candidate = Path.of(dir, "setsid");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
