package io.stemflow.cli;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.cli.manifest.Manifest;
import io.stemflow.cli.manifest.ManifestRow;
import io.stemflow.schemas.TopicNames;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
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
            "The whole manifest is validated first; with any bad row nothing is submitted (unless --skip-invalid).",
            "requestIds derive from (batch, taskId, audioId, type): submitting the same manifest again submits nothing twice."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:submitted (or nothing to do)", "1:a send failed", "2:bad usage",
            "3:the manifest has bad rows (nothing submitted)", "5:no stack to talk to"})
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

    @Option(names = "--no-progress", description = "No progress bar (for logs).")
    private boolean noProgress;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (!batch.matches("[A-Za-z0-9._:-]{1,100}")) {
            throw new CliException(CliException.INVALID_INPUT, "--batch must be 1 to 100 letters, digits, '.', '_', ':' or '-'");
        }
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
        final Instant start = Instant.now();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<Exception> firstFailure = new AtomicReference<>();
        try (KafkaProducer<String, SpecificRecord> producer = Producers.avro(connection);
             ProgressBar bar = progress(result.rows().size())) {
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
                        .build();
                producer.send(new ProducerRecord<>(TopicNames.REQUESTS, request.getRequestId(), request), (meta, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                    if (bar != null) {
                        bar.step();
                    }
                });
            }
            producer.flush();
        }
        final Duration took = Duration.between(start, Instant.now());
        if (failed.get() > 0) {
            err.printf("%d of %d requests could not be sent (first error: %s); run the same command again: "
                    + "requests already sent are not submitted twice.%n", failed.get(), result.rows().size(),
                    firstFailure.get().getMessage());
            err.flush();
            return 1;
        }
        out.printf("Submitted %d request(s) of batch %s in %.1f s (%.0f/s).%n", result.rows().size(), batch,
                took.toMillis() / 1000.0, result.rows().size() / Math.max(0.001, took.toMillis() / 1000.0));
        out.printf("Follow it with: bin/stemflow status --batch %s --watch%n", batch);
        out.flush();
        return 0;
    }

    private ProgressBar progress(final int total) {
        if (noProgress) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("submitting").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
    }
}
