package io.stemflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.Replays;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stemflow replay}: re-submits failed jobs from separation-dlq as new attempts.
 *
 * <p>A job is replayed with attempt = the failed attempt + 1 and {@code replayOf} = the dead letter's
 * id, so replaying the same selection twice produces the same request, which the topology admits
 * once. Jobs that completed since, or whose current attempt is newer than the dead letter, are
 * skipped and said so.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replays failed jobs (rejected, failed or timed out) from separation-dlq as new attempts.",
            "Selects by batch, account, provider code, time range and limit; --dry-run lists without replaying."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (or nothing to replay)", "1:a send failed", "2:bad usage", "5:no stack to talk to"})
final class ReplayCommand implements Callable<Integer> {


    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Option(names = "--batch", description = "Only jobs of this batch.")
    private String batch;

    @Option(names = "--account", description = "Only jobs of this account.")
    private String account;

    @Option(names = "--code", description = "Only failures with this provider code (e.g. 451, 500).")
    private Integer code;

    @Option(names = "--since", description = "Only failures at or after this instant (ISO-8601, e.g. 2026-11-24T10:00:00Z).")
    private Instant since;

    @Option(names = "--until", description = "Only failures before this instant (ISO-8601).")
    private Instant until;

    @Option(names = "--limit", defaultValue = "1000", description = "At most this many jobs (default: ${DEFAULT-VALUE}).")
    private int limit;

    @Option(names = "--dry-run", description = "List what would be replayed; change nothing.")
    private boolean dryRun;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final Map<String, DeadLetter> latest = selectLatestFailures();
        final QueryClient query = connection.queryClient();
        final List<SeparationRequest> replays = new ArrayList<>();
        for (final DeadLetter d : latest.values()) {
            if (replays.size() >= limit) {
                break;
            }
            final String skip = skipReason(query, d);
            if (skip != null) {
                out.printf("  skip   %s: %s%n", d.getRequestId(), skip);
                continue;
            }
            replays.add(Replays.replayOf(d, Instant.now()));
            out.printf("  %s %s: attempt %d after %s (%s)%n", dryRun ? "would replay" : "replay", d.getRequestId(),
                    d.getAttempt() + 1, d.getKind(), d.getReason());
        }
        if (dryRun) {
            out.printf("Dry run: %d job(s) would be replayed; nothing was sent.%n", replays.size());
            out.flush();
            return 0;
        }
        try (KafkaProducer<String, SpecificRecord> producer = Producers.avro(connection)) {
            for (final SeparationRequest r : replays) {
                producer.send(new ProducerRecord<>(TopicNames.REQUESTS, r.getRequestId(), r)).get(60, TimeUnit.SECONDS);
            }
        }
        out.printf("Replayed %d job(s).%n", replays.size());
        out.flush();
        return 0;
    }

    /** The newest replayable dead letter of each selected request, in the order they failed. */
    private Map<String, DeadLetter> selectLatestFailures() {
        final Map<String, Object> c = new HashMap<>();
        c.putAll(connection.kafkaClient());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        final Map<String, DeadLetter> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                AvroSerdes.specific(DeadLetter.class, connection.registry().serdeConfig(), false)
                        .deserializer())) {
            TopicSnapshot.read(consumer, TopicNames.DLQ, Duration.ofSeconds(60), r -> {
                final DeadLetter d = r.value();
                if (selected(d)) {
                    Replays.keepLatest(latest, d);
                }
            });
        } catch (IllegalStateException e) { // no such topic, or not read to its end in time
            throw new CliException(CliException.NOT_CONFIGURED, e.getMessage() + " on " + connection.bootstrapServers());
        }
        return latest;
    }

    private boolean selected(final DeadLetter d) {
        return Replays.canReplay(d)
                && (batch == null || batch.equals(d.getBatchId()))
                && (account == null || account.equals(d.getAccountId()))
                && (code == null || code.equals(d.getCode()))
                && (since == null || !d.getFailedAt().isBefore(since))
                && (until == null || d.getFailedAt().isBefore(until));
    }

    /** Why a failure is not replayed now, or null when it should be. */
    private static String skipReason(final QueryClient query, final DeadLetter d) {
        final JsonNode job;
        try {
            job = query.get("/jobs", d.getRequestId());
        } catch (CliException e) {
            return e.exitCode() == CliException.NOT_FOUND ? "stemflow no longer knows this job" : e.getMessage();
        }
        return Replays.skipReason(d, job.path("state").asText(), job.path("attempt").asInt()).orElse(null);
    }
}
