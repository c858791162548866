package io.stemflow.kafka.embedded;

import io.stemflow.service.RotatingLogFile;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Entry point of the broker child process: formats the storage once, then runs {@code kafka.Kafka}.
 *
 * <p>Arguments: {@code server.properties} path, cluster id, parent pid. The child exits (with a
 * clean Kafka shutdown) as soon as its parent is gone: it watches for end-of-file on its stdin,
 * which the parent holds open for its whole life, and, as a second guard, polls the parent pid. Its output
 * goes to the file named by {@value #LOG_FILE_PROPERTY}, rotated by size ({@link RotatingLogFile}).
 */
public final class BrokerMain {

    /** System property naming the broker's log file; its output then goes there, rotated by size. */
    static final String LOG_FILE_PROPERTY = "stemflow.broker.log";

    private BrokerMain() {
    }

    public static void main(final String[] args) {
        final String logFile = System.getProperty(LOG_FILE_PROPERTY);
        if (logFile != null) {
            // the JVM's own messages before this point still reach the file through the parent's redirect
            final PrintStream log = new PrintStream(new RotatingLogFile(Path.of(logFile), RotatingLogFile.MAX_BYTES,
                    RotatingLogFile.KEEP).asStream(), true, StandardCharsets.UTF_8);
            System.setOut(log);
            System.setErr(log);
        }
        if (args.length != 3) {
            System.err.println("usage: BrokerMain <server.properties> <cluster id> <parent pid>");
            System.exit(2);
        }
        ParentWatch.start(Long.parseLong(args[2]), "shutting the broker down");
        final int formatted = kafka.tools.StorageTool.execute(
                new String[] {"format", "-t", args[1], "-c", args[0], "--ignore-formatted"}, System.out);
        if (formatted != 0) {
            System.err.println("formatting the broker storage failed with code " + formatted);
            System.exit(formatted);
        }
        kafka.Kafka.main(new String[] {args[0]});
    }
}
