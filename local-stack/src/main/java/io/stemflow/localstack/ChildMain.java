package io.stemflow.localstack;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Entry point of the local stack's child processes: watches stdin, which the parent holds open
 * for its whole life, and exits (running the service's shutdown hooks) when it closes, so no
 * service outlives a killed parent; then runs the service's own {@code main}.
 *
 * <p>Arguments: the service's main class, then its arguments.
 */
public final class ChildMain {

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
}
