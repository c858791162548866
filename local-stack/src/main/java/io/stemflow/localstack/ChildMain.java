package io.stemflow.localstack;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the local stack's child processes: exits (running the service's shutdown hooks)
 * as soon as the parent is gone, so no service outlives a killed parent; then runs the service's
 * own {@code main}. Two guards, as in the broker child: end-of-file on stdin, which the parent
 * holds open for its whole life, and a poll of the parent's pid (system property
 * {@value #PARENT_PID_PROPERTY}), for the case where the pipe is inherited by someone else.
 *
 * <p>Arguments: the service's main class, then its arguments.
 */
public final class ChildMain {

    static final String PARENT_PID_PROPERTY = "stemflow.parent.pid";

    private ChildMain() {
    }

    public static void main(final String[] args) throws ReflectiveOperationException {
        if (args.length < 1) {
            System.err.println("usage: ChildMain <main class> [args...]");
            System.exit(2);
        }
        final Thread watch = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent never writes
                }
            } catch (IOException e) {
                // the parent is gone as well
            }
            System.err.println("parent process is gone (stdin closed): stopping");
            System.exit(0);
        }, "stemflow-parent-watch");
        watch.setDaemon(true);
        watch.start();
        final String parentPid = System.getProperty(PARENT_PID_PROPERTY);
        if (parentPid != null) {
            watchPid(Long.parseLong(parentPid));
        }
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static void watchPid(final long parentPid) {
        final Thread pidWatch = new Thread(() -> {
            while (true) {
                final Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
                if (parent.isEmpty() || !parent.get().isAlive()) {
                    System.err.println("parent process " + parentPid + " is gone: stopping");
                    System.exit(0);
                }
                try {
                    TimeUnit.SECONDS.sleep(1); // polling interval of a liveness watch, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stemflow-parent-pid-watch");
        pidWatch.setDaemon(true);
        pidWatch.start();
    }
}
