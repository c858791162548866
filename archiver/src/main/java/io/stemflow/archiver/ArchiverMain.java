package io.stemflow.archiver;

import io.stemflow.service.ServiceMain;

/**
 * Runs the archiver as its own process, configured from the environment ({@link ArchiverConfig#fromEnv}, README's
 * settings), with {@link ServiceMain}: exits with 2 and one message naming every bad variable on an invalid
 * configuration, with 1 when it fails on its own (so a supervisor restarts it); stops gracefully on SIGTERM.
 */
public final class ArchiverMain {

    private ArchiverMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        ServiceMain.run("archiver", ArchiverConfig::fromEnv, config -> {
            final Archiver archiver = Archiver.start(config);
            return new ServiceMain.Running() {
                @Override
                public void close() {
                    try {
                        archiver.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public String awaitFailure() throws InterruptedException {
                    return archiver.awaitFailure();
                }
            };
        });
    }
}
