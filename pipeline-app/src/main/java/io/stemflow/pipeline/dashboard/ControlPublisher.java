package io.stemflow.pipeline.dashboard;

import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends what the dashboard's buttons ask for: pause, resume and cancel commands to {@code separation-control}
 * (keyed by their target, as the CLI sends them), and replays of failed jobs to {@code separation-requests} (keyed
 * by request id, as {@code stemflow replay} sends them); waits for the broker's acknowledgement (acks=all,
 * idempotent). Made on the first send, so a dashboard nobody acts from holds no producer.
 */
public final class ControlPublisher implements AutoCloseable {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> properties;
    private final Map<String, Object> serdeConfig;
    private KafkaProducer<String, byte[]> producer;
    private Serializer<ControlCommand> commands;
    private Serializer<SeparationRequest> requests;

    public ControlPublisher(final Map<String, Object> clientProperties, final Map<String, Object> serdeConfig) {
        final Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 25_000);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "stemflow-dashboard-control");
        this.properties = Map.copyOf(p);
        this.serdeConfig = Map.copyOf(serdeConfig);
    }

    /**
     * Sends {@code command} and waits for its acknowledgement.
     *
     * @throws ControlNotSentException when it was not acknowledged (the message names no secret)
     */
    public synchronized void send(final ControlCommand command) {
        final String what = "command " + command.getCommandId();
        try {
            open();
            await(List.of(producer.send(new ProducerRecord<>(TopicNames.CONTROL, command.getTarget(),
                    commands.serialize(TopicNames.CONTROL, command)))), what);
        } catch (KafkaException e) {
            throw new ControlNotSentException(what + " could not be sent: " + e.getMessage(), e);
        }
    }

    /**
     * Sends every replay and waits for all their acknowledgements. A replay sent twice is admitted once (its
     * attempt and {@code replayOf} are the same), so the caller may send them all again after a failure.
     *
     * @throws ControlNotSentException when one was not acknowledged
     */
    public synchronized void replay(final List<SeparationRequest> replays) {
        final String what = replays.size() + " replays";
        try {
            open();
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (final SeparationRequest r : replays) {
                sent.add(producer.send(new ProducerRecord<>(TopicNames.REQUESTS, r.getRequestId(),
                        requests.serialize(TopicNames.REQUESTS, r))));
            }
            await(sent, what);
        } catch (KafkaException e) {
            throw new ControlNotSentException(what + " could not be sent: " + e.getMessage(), e);
        }
    }

    private void open() {
        if (producer == null) {
            commands = AvroSerdes.specific(ControlCommand.class, serdeConfig, false).serializer();
            requests = AvroSerdes.specific(SeparationRequest.class, serdeConfig, false).serializer();
            producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        }
    }

    private static void await(final List<Future<RecordMetadata>> sent, final String what) {
        final long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
        try {
            for (final Future<RecordMetadata> f : sent) {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw new ControlNotSentException("the broker did not take " + what + ": "
                    + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new ControlNotSentException("the broker did not acknowledge " + what + " within "
                    + SEND_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlNotSentException("interrupted before " + what + " was acknowledged", e);
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Something the broker did not acknowledge: the caller may send it again (the same ids). */
    public static final class ControlNotSentException extends RuntimeException {

        ControlNotSentException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }
}
