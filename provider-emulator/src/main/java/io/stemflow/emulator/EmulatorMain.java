package io.stemflow.emulator;

import io.stemflow.service.ServiceMain;

/**
 * Runs the emulator alone with {@link ServiceMain}, configured from {@code STEMFLOW_EMULATOR_*} environment
 * variables (see the module README), until the JVM is stopped (Ctrl-C / SIGTERM close it cleanly); an invalid
 * configuration exits 2 with one message naming every bad variable.
 */
public final class EmulatorMain {

    private EmulatorMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        ServiceMain.run("provider emulator", EmulatorConfig::fromEnv, config -> ProviderEmulator.start(config)::close);
    }
}
