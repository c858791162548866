package io.stemflow.examples;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.serde.AvroSerdes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a team asks stemflow for stems (docs/integration.md): one {@link SeparationRequest} per audio
 * on {@code separation-requests}, the key its requestId as a UTF-8 string, the value Avro in the
 * Confluent wire format (schema under the subject {@code separation-requests-value}).
 *
 * <p>Producing a request again (a retry after a timeout, a batch run twice) is safe: stemflow admits
 * a requestId once and never charges it twice. A request counts as sent only once the broker has
 * acknowledged it, so {@link #produce} waits for every acknowledgement.
 *
 * <pre>
 * java -cp ... io.stemflow.examples.ProduceRequestsExample localhost:29092 http://localhost:8081 \
 *     label-a catalogue-2026 SEPARATE_VOCAL task-1:audio-1 task-2:audio-2
 * </pre>
 */
public final class ProduceRequestsExample {

    public static final String TOPIC = "separation-requests";
    private static final Logger LOG = LoggerFactory.getLogger(ProduceRequestsExample.class);

    private ProduceRequestsExample() {
    }

    /** Arguments: bootstrap servers, registry URL, account, batch, type, then taskId:audioId pairs. */
    public static void main(final String[] args) throws InterruptedException, ExecutionException {
        if (args.length < 6) {
            throw new IllegalArgumentException("usage: ProduceRequestsExample <bootstrap> <registry-url> <account> "
                    + "<batch> <SEPARATE_VOCAL|SPLIT_STEM> <taskId:audioId>...");
        }
        final SeparationType type = SeparationType.valueOf(args[4]);
        final List<SeparationRequest> requests = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            final String[] ids = args[i].split(":", 2);
            // the requestId is yours to choose: derive it from what identifies the job, so a re-run reuses it
            final String requestId = String.join(".", args[3], ids[0], ids[1], type.name());
            requests.add(request(requestId, args[2], args[3], ids[0], ids[1], type));
        }
        produce(args[0], args[1], requests);
        LOG.info("{} requests acknowledged on {}", requests.size(), TOPIC);
    }

    /** A first attempt at separating one audio. */
    public static SeparationRequest request(final String requestId, final String accountId, final String batchId,
                                            final String taskId, final String audioId, final SeparationType type) {
        return SeparationRequest.newBuilder()
                .setRequestId(requestId)
                .setAccountId(accountId)
                .setBatchId(batchId)
                .setTaskId(taskId)
                .setAudioId(audioId)
                .setType(type)
                .setRequestedAt(Instant.now())
                .setLabels(Map.of("source", "produce-requests-example"))
                .build();
    }

    /**
     * The request that replays a failed job from its dead letter: the same job with the next attempt,
     * naming the failure it replays. Producing it twice starts one new attempt only.
     *
     * @throws IllegalArgumentException when the dead letter carries no request (a corrupt record)
     */
    public static SeparationRequest replayOf(final DeadLetter deadLetter) {
        final SeparationRequest failed = deadLetter.getRequest();
        if (failed == null) {
            throw new IllegalArgumentException("Dead letter " + deadLetter.getDeadLetterId() + " (" + deadLetter.getKind()
                    + ") carries no request to replay");
        }
        return SeparationRequest.newBuilder()
                .setRequestId(failed.getRequestId())
                .setAccountId(failed.getAccountId())
                .setBatchId(failed.getBatchId())
                .setTaskId(failed.getTaskId())
                .setAudioId(failed.getAudioId())
                .setType(failed.getType())
                .setLabels(failed.getLabels())
                .setRequestedAt(Instant.now())
                .setAttempt(failed.getAttempt() + 1)
                .setReplayOf(deadLetter.getDeadLetterId())
                .build();
    }

    /** Sends the requests, keyed by requestId, and returns once the broker has acknowledged every one. */
    public static void produce(final String bootstrapServers, final String registryUrl,
                               final List<SeparationRequest> requests) throws InterruptedException, ExecutionException {
        final Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",                   // stored by every in-sync replica
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,      // the client's retries add no duplicates
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000); // then the send fails: send it again
        final Map<String, Object> serde = Map.of("schema.registry.url", registryUrl);
        try (Producer<String, SeparationRequest> producer = new KafkaProducer<>(config,
                new StringSerializer(),                                                      // key: requestId, UTF-8
                AvroSerdes.specific(SeparationRequest.class, serde, false).serializer())) { // value: wire-format Avro
            final List<Future<RecordMetadata>> acknowledgements = new ArrayList<>();
            for (final SeparationRequest request : requests) {
                acknowledgements.add(producer.send(new ProducerRecord<>(TOPIC, request.getRequestId(), request)));
            }
            for (final Future<RecordMetadata> acknowledgement : acknowledgements) {
                acknowledgement.get(); // throws when a request was not stored: produce it again, it is safe
            }
        }
    }
}
