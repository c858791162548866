package io.stemflow.cli;

import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.cli.manifest.Manifest;
import io.stemflow.cli.manifest.ManifestRow;
import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.TopicNames;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow submit}: a back-catalogue manifest onto separation-requests, idempotently. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submits every row of a manifest (CSV with a header, or JSON Lines) as a separation request.",
            "The whole manifest is validated first; with any bad row nothing is submitted (unless --skip-invalid). "
                + "requestIds derive from (batch, taskId, audioId, type): submitting the same manifest again submits "
                + "nothing twice. Every request gets --priority, BULK unless told otherwise: a back catalogue gives way "
                + "to interactive and normal work (a request produced without the field is NORMAL). BULK runs go to "
                + "separation-requests-bulk, so that a big run never holds up requests produced after it; the others "
                + "to separation-requests."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:submitted (or nothing to do)", "1:a send failed", "2:bad usage",
            "3:bad input: bad rows in the manifest, or a bad --batch, --type or --priority (nothing submitted)", "5:no stack to talk to"})
final class SubmitCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Option(names = "--manifest", required = true, description = "CSV (header with taskId,audioId[,type][,account][,label...]) or JSON Lines (.jsonl).")
    private Path manifest;

    @Option(names = "--type", description = "Mode for rows without one: separate_vocal or split_stem.")
    private String type;

    @Option(names = "--account", description = "Account for rows without one.")
    private String account;

    @Option(names = "--batch", required = true, description = "Batch id: groups the jobs, and part of every requestId.")
    private String batch;

    @Option(names = "--skip-invalid", description = "Submit the valid rows even if some are bad (the bad ones are still reported).")
    private boolean skipInvalid;

    @Option(names = "--priority", defaultValue = "BULK", paramLabel = "INTERACTIVE|NORMAL|BULK",
            description = "Priority class of every request: INTERACTIVE (someone is waiting), NORMAL, or BULK "
                    + "(default for manifests: ${DEFAULT-VALUE}). A waiting job of a higher class reaches the provider "
                    + "before any of a lower class.")
    private String priority;

    @Option(names = "--no-progress", description = "No progress line (it is drawn only on a terminal anyway).")
    private boolean noProgress;

    /** The priority classes a caller may ask for (UNKNOWN is only what an old reader makes of a newer symbol). */
    static final Set<Priority> CHOOSABLE = EnumSet.of(Priority.INTERACTIVE, Priority.NORMAL, Priority.BULK);

    /**
     * Where a manifest's requests go: a BULK run on separation-requests-bulk, the lane the pipeline reads as BULK
     * so that a big run never holds up requests produced after it on separation-requests; INTERACTIVE and NORMAL
     * runs on separation-requests.
     */
    static String topicOf(final Priority priority) {
        return priority == Priority.BULK ? TopicNames.REQUESTS_BULK : TopicNames.REQUESTS;
    }

    static Priority priority(final String text) {
        return CHOOSABLE.stream().filter(p -> p.name().equalsIgnoreCase(text == null ? "" : text.strip())).findFirst()
                .orElseThrow(() -> new CliException(CliException.INVALID_INPUT,
                        "--priority must be INTERACTIVE, NORMAL or BULK, was '"
                                + CallerText.clip(text) + "'"));
    }

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (!batch.matches("[A-Za-z0-9._:-]{1,100}")) {
            throw new CliException(CliException.INVALID_INPUT, "--batch must be 1 to 100 letters, digits, '.', '_', ':' or '-'");
        }
        final Priority requestPriority = priority(priority);
        if (!Files.isRegularFile(manifest)) {
            throw new CliException(CliException.INVALID_INPUT, "no manifest at " + manifest);
        }
        final SeparationType defaultType = type == null ? null : io.stemflow.schemas.provider.ProviderVocabulary
                .typeOf(type.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> new CliException(CliException.INVALID_INPUT, "--type must be separate_vocal or split_stem"));
        final Manifest.Result result = Manifest.read(manifest, defaultType, account);
        if (!result.problems().isEmpty()) {
            err.printf("%s: %d bad row(s):%n", manifest, result.problems().size());
            result.problems().forEach(p -> err.println("  " + p));
            err.flush();
            if (!skipInvalid) {
                err.println("Nothing submitted. Fix the rows, or pass --skip-invalid to submit the " + result.rows().size()
                        + " valid one(s).");
                err.flush();
                return CliException.INVALID_INPUT;
            }
        }
        final String topic = topicOf(requestPriority);
        final Instant start = Instant.now();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<Exception> firstFailure = new AtomicReference<>();
        final boolean draw = !noProgress && Terminal.redraws();
        final int width = draw ? Terminal.width() : Terminal.DEFAULT_WIDTH;
        final SubmitProgress progress = new SubmitProgress(new LiveLines(out, draw, () -> width), result.rows().size());
        try (KafkaProducer<String, SpecificRecord> producer = Producers.avro(connection)) {
            for (final ManifestRow row : result.rows()) {
                final SeparationRequest request = SeparationRequest.newBuilder()
                        .setRequestId(Manifest.requestId(batch, row))
                        .setAccountId(row.accountId())
                        .setBatchId(batch)
                        .setTaskId(row.taskId())
                        .setAudioId(row.audioId())
                        .setType(row.type())
                        .setRequestedAt(start)
                        .setLabels(row.labels())
                        .setPriority(requestPriority)
                        .build();
                producer.send(new ProducerRecord<>(topic, request.getRequestId(), request), (meta, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                    progress.sent(e == null);
                });
            }
            producer.flush();
        } finally {
            progress.finish();
        }
        final Duration took = Duration.between(start, Instant.now());
        if (failed.get() > 0) {
            err.printf("%d of %d requests could not be sent (first error: %s); run the same command again: "
                    + "requests already sent are not submitted twice.%n", failed.get(), result.rows().size(),
                    firstFailure.get().getMessage());
            err.flush();
            return 1;
        }
        out.printf("Submitted %d request(s) of batch %s with priority %s to %s in %.1f s (%.0f/s).%n",
                result.rows().size(), batch, requestPriority, topic,
                took.toMillis() / 1000.0, result.rows().size() / Math.max(0.001, took.toMillis() / 1000.0));
        out.printf("Follow it with: bin/stemflow status --batch %s --watch%n", batch);
        out.flush();
        return 0;
    }
}
