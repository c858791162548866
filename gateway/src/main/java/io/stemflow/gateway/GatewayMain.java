package io.stemflow.gateway;

import io.stemflow.service.ServiceMain;
import java.util.concurrent.TimeUnit;

/**
 * Runs the provider gateway as its own process, configured by the environment (see {@link GatewayConfig}), with
 * {@link ServiceMain}. SIGTERM stops it cleanly (calls out awaited, done jobs committed). Exit codes: 2 invalid
 * configuration (one message naming every bad variable), 1 a loop stopped on a fatal error (e.g. fenced by
 * another instance with the same id).
 */
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        ServiceMain.run("provider gateway", GatewayConfig::fromEnv, config -> {
            final Gateway gateway = Gateway.start(config);
            return new ServiceMain.Running() {
                @Override
                public void close() {
                    gateway.close();
                }

                @Override
                public String awaitFailure() throws InterruptedException {
                    while (gateway.alive()) {
                        TimeUnit.SECONDS.sleep(1); // polling interval of a liveness watch, not synchronisation
                    }
                    return gateway.failure().orElse("a loop ended");
                }
            };
        });
    }
}
