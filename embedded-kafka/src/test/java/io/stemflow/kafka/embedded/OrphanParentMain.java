package io.stemflow.kafka.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** A parent process for the orphan test: starts a broker, prints its pid, and waits to be killed. */
public final class OrphanParentMain {

    private OrphanParentMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaConfig.of(Path.of(args[0])));
        System.out.println("BROKER_PID=" + broker.pid());
        System.out.println("BOOTSTRAP=" + broker.bootstrapServers());
        System.out.flush();
        new CountDownLatch(1).await(); // block until killed
    }
}
