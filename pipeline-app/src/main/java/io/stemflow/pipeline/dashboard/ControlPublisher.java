package io.stemflow.pipeline.dashboard;

import io.stemflow.avro.ControlCommand;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the dashboard's pause, resume and cancel commands to {@code separation-control}, keyed by their target as
 * the CLI sends them, and waits for the broker's acknowledgement (acks=all, idempotent). Made on the first command,
 * so a dashboard nobody acts from holds no producer.
 */
public final class ControlPublisher implements AutoCloseable {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> properties;
    private final Map<String, Object> serdeConfig;
    private KafkaProducer<String, ControlCommand> producer;

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
        try {
            if (producer == null) {
                producer = new KafkaProducer<>(properties, new StringSerializer(),
                        AvroSerdes.specific(ControlCommand.class, serdeConfig, false).serializer());
            }
            producer.send(new ProducerRecord<>(TopicNames.CONTROL, command.getTarget(), command))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ControlNotSentException("the broker did not take command " + command.getCommandId() + ": "
                    + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new ControlNotSentException("the broker did not acknowledge command " + command.getCommandId()
                    + " within " + SEND_TIMEOUT.toSeconds() + " s", e);
        } catch (KafkaException e) {
            throw new ControlNotSentException("command " + command.getCommandId() + " could not be sent: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlNotSentException("interrupted before command " + command.getCommandId()
                    + " was acknowledged", e);
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** A command the broker did not acknowledge: the caller may send it again (same command id). */
    public static final class ControlNotSentException extends RuntimeException {

        ControlNotSentException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }
}
