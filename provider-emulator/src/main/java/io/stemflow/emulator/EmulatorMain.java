package io.stemflow.emulator;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the emulator alone, configured from {@code STEMFLOW_EMULATOR_*} environment variables (see the module
 * README), until the JVM is stopped (Ctrl-C / SIGTERM close it cleanly).
 */
public final class EmulatorMain {

    private static final Logger LOG = LoggerFactory.getLogger(EmulatorMain.class);

    private EmulatorMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final EmulatorConfig config;
        try {
            config = EmulatorConfig.fromEnv(System.getenv());
        } catch (final IllegalArgumentException e) {
            LOG.error("provider emulator not started: {}", e.getMessage());
            System.exit(2);
            return;
        }
        final ProviderEmulator emulator = ProviderEmulator.start(config);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }, "emulator-shutdown"));
        stopped.await();
    }
}
