package io.stemflow.localstack;

/** The local stack's ports; 0 means any free port. */
public record StackPorts(int kafka, int controller, int registry, int emulator, int bridge, int query, int gateway) {

    public StackPorts {
        check("kafka", kafka);
        check("controller", controller);
        check("registry", registry);
        check("emulator", emulator);
        check("bridge", bridge);
        check("query", query);
        check("gateway", gateway);
        final int[] all = {kafka, controller, registry, emulator, bridge, query, gateway};
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                if (all[i] != 0 && all[i] == all[j]) {
                    throw new IllegalArgumentException("the local stack's ports must differ, " + all[i] + " is used twice");
                }
            }
        }
    }

    /** Fixed defaults, away from the usual 9092/8081 so a developer's own Kafka does not clash. */
    public static StackPorts defaults() {
        return new StackPorts(19092, 19093, 18081, 18090, 18091, 18070, 18092);
    }

    /** Free ports everywhere (tests). */
    public static StackPorts anyFree() {
        return new StackPorts(0, 0, 0, 0, 0, 0, 0);
    }

    private static void check(final String name, final int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " port must be between 0 and 65535, was " + port);
        }
    }
}
