package io.stemflow.service;

import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a service until it is stopped, written once for every {@code main()}: parse the configuration, start, add
 * a shutdown hook that closes the service, then wait for the hook.
 *
 * <p>Exit codes: <b>2</b> when the configuration is invalid (the parser or the start throws an
 * {@link IllegalArgumentException}, such as a {@link SettingsException}): ONE line on stderr naming every bad
 * variable, no stack trace, nothing started. <b>1</b> when the start fails for another reason (any other runtime
 * exception: e.g. the schema registry refuses the service's schemas), with that reason on one line on stderr and the
 * trace in the log; and when a started service fails on its own
 * ({@link Running#awaitFailure()} returns), logged with the reason; the shutdown hook still closes it.
 * <b>0</b> after SIGTERM / Ctrl-C.
 */
public final class ServiceMain {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceMain.class);

    /** Exit status of an invalid configuration. */
    public static final int CONFIG_ERROR = 2;
    /** Exit status of a service that failed on its own after it started. */
    public static final int FAILED = 1;

    /** A started service. */
    public interface Running extends AutoCloseable {

        /** Stops the service (idempotent); called by the shutdown hook. */
        @Override
        void close();

        /** Called once the shutdown hook and the failure watch are in place (e.g. to log readiness). */
        default void ready() throws InterruptedException {
        }

        /**
         * Blocks until the service fails on its own and returns why; a service that cannot fail on its own keeps
         * the default, which blocks until the process ends.
         */
        default String awaitFailure() throws InterruptedException {
            new CountDownLatch(1).await();
            return "";
        }
    }

    /** Starts the service from its parsed configuration. */
    @FunctionalInterface
    public interface Starter<C> {
        Running start(C config) throws InterruptedException;
    }

    private ServiceMain() {
    }

    /**
     * Runs {@code service} with the process environment until the JVM is stopped.
     *
     * @param service what runs, for messages ("callback bridge")
     * @param parse   environment to configuration; throws {@link IllegalArgumentException} naming every problem
     * @param start   configuration to running service
     */
    public static <C> void run(final String service, final Function<Map<String, String>, C> parse,
                               final Starter<C> start) throws InterruptedException {
        run(service, System.getenv(), parse, start, System::exit, System.err);
    }

    /** {@link #run(String, Function, Starter)} with the environment, the exit and stderr given (for tests). */
    static <C> void run(final String service, final Map<String, String> env,
                        final Function<Map<String, String>, C> parse, final Starter<C> start,
                        final IntConsumer exit, final PrintStream err) throws InterruptedException {
        Objects.requireNonNull(service, "service");
        final Running running;
        try {
            running = Objects.requireNonNull(start.start(parse.apply(env)), "started service");
        } catch (IllegalArgumentException e) {
            // the configuration is the user's to fix: one line naming every variable, no stack trace
            err.println(service + " not started: " + e.getMessage());
            err.flush();
            exit.accept(CONFIG_ERROR);
            return;
        } catch (RuntimeException e) {
            // refused to start for a reason outside its configuration (e.g. the schema registry refuses its schemas):
            // the reason on one line, the trace in the log
            LOG.error("{} not started", service, e);
            err.println(service + " not started: " + e.getMessage());
            err.flush();
            exit.accept(FAILED);
            return;
        }
        final AtomicBoolean stopping = new AtomicBoolean();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            running.close();
            stopped.countDown();
        }, service.replace(' ', '-') + "-shutdown"));
        final Thread watch = new Thread(() -> {
            try {
                final String why = running.awaitFailure();
                if (!stopping.get()) {
                    LOG.error("{} stopped: {}; exiting with status {} so it can be restarted", service, why, FAILED);
                    exit.accept(FAILED);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, service.replace(' ', '-') + "-watch");
        watch.setDaemon(true);
        watch.start();
        running.ready();
        stopped.await();
    }
}
