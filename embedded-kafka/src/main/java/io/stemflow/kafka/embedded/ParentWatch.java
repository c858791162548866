package io.stemflow.kafka.embedded;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes a child process exit (running its shutdown hooks) as soon as its parent is gone, so no
 * child outlives a killed parent. Two guards: end-of-file on stdin, which the parent holds open for
 * its whole life, and a poll of the parent's pid, for the case where the pipe was inherited by
 * someone else (or the child runs in a session of its own, see {@link OwnSession}).
 */
public final class ParentWatch {

    private ParentWatch() {
    }

    /**
     * Starts both guards on daemon threads.
     *
     * @param parentPid the parent's pid, or null to watch stdin alone
     * @param what      what stops, for the line printed on the way out (e.g. "shutting the broker down")
     */
    public static void start(final Long parentPid, final String what) {
        daemon("stemflow-parent-stdin-watch", () -> {
            try {
                while (System.in.read() != -1) {
                    // the parent never writes: anything read is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the parent is gone as well
            }
            System.err.println("parent process is gone (stdin closed): " + what);
            System.exit(0);
        });
        if (parentPid == null) {
            return;
        }
        daemon("stemflow-parent-pid-watch", () -> {
            while (true) {
                final Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
                if (parent.isEmpty() || !parent.get().isAlive()) {
                    System.err.println("parent process " + parentPid + " is gone: " + what);
                    System.exit(0);
                }
                try {
                    TimeUnit.SECONDS.sleep(1); // polling interval of a liveness watch, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static void daemon(final String name, final Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
