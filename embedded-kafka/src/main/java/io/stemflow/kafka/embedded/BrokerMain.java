package io.stemflow.kafka.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the broker child process: formats the storage once, then runs {@code kafka.Kafka}.
 *
 * <p>Arguments: {@code server.properties} path, cluster id, parent pid. The child exits (with a
 * clean Kafka shutdown) as soon as its parent is gone: it watches for end-of-file on its stdin,
 * which the parent holds open for its whole life, and, as a second guard, polls the parent pid.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(final String[] args) {
        if (args.length != 3) {
            System.err.println("usage: BrokerMain <server.properties> <cluster id> <parent pid>");
            System.exit(2);
        }
        watchParent(Long.parseLong(args[2]));
        final int formatted = kafka.tools.StorageTool.execute(
                new String[] {"format", "-t", args[1], "-c", args[0], "--ignore-formatted"}, System.out);
        if (formatted != 0) {
            System.err.println("formatting the broker storage failed with code " + formatted);
            System.exit(formatted);
        }
        kafka.Kafka.main(new String[] {args[0]});
    }

    private static void watchParent(final long parentPid) {
        final Thread stdinWatch = new Thread(() -> {
            final InputStream in = System.in;
            try {
                while (in.read() != -1) {
                    // the parent never writes: anything read is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the parent is gone as well
            }
            System.err.println("parent process is gone (stdin closed): shutting the broker down");
            System.exit(0);
        }, "stemflow-parent-stdin-watch");
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        final Thread pidWatch = new Thread(() -> {
            while (true) {
                final Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
                if (parent.isEmpty() || !parent.get().isAlive()) {
                    System.err.println("parent process " + parentPid + " is gone: shutting the broker down");
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
