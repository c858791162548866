package io.stemflow.kafka.embedded;

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
