package io.stemflow.localstack;

import java.lang.reflect.InvocationTargetException;
import io.stemflow.kafka.embedded.ParentWatch;
import java.util.Arrays;

/**
 * Entry point of the local stack's child processes: exits (running the service's shutdown hooks)
 * as soon as the parent is gone, so no service outlives a killed parent; then runs the service's
 * own {@code main}. The guards are the broker child's ({@link ParentWatch}); the parent's pid comes
 * in the system property {@value #PARENT_PID_PROPERTY}.
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
        final String parentPid = System.getProperty(PARENT_PID_PROPERTY);
        ParentWatch.start(parentPid == null ? null : Long.valueOf(parentPid), "stopping");
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
