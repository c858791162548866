package io.stemflow.cli;

import io.stemflow.schemas.JobStates;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow status --batch ID [--watch]}: a batch's jobs by state. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Shows a batch's jobs by state; --watch redraws every 2 s.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:shown", "4:no such batch", "5:no stack to talk to"})
final class StatusCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Option(names = "--batch", required = true, description = "The batch id.")
    private String batch;

    @Option(names = "--watch", description = "Redraw in place until every job has ended (Ctrl-C to stop).")
    private boolean watch;

    @Option(names = "--provider-limit", defaultValue = "20/10s",
            description = "The provider's request limit, for the ETA (default: ${DEFAULT-VALUE}).")
    private String providerLimit;

    /** Jobs that still need a provider call: requested, held or admitted but not yet submitted. */
    private static long waitingForProvider(final JsonNode counts) {
        return counts.path("REQUESTED").asLong() + counts.path("THROTTLED").asLong() + counts.path("ADMITTED").asLong();
    }

    /** "20/10s" -> 2.0 requests per second. */
    static double perSecond(final String limit) {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)/(\\d+)s").matcher(limit.strip());
        if (!m.matches() || Integer.parseInt(m.group(2)) == 0) {
            throw new CliException(CliException.INVALID_INPUT, "--provider-limit must look like 20/10s, was '" + limit + "'");
        }
        return Double.parseDouble(m.group(1)) / Double.parseDouble(m.group(2));
    }

    static String eta(final long jobs, final double perSecond) {
        final java.time.Duration d = java.time.Duration.ofSeconds((long) Math.ceil(jobs / perSecond));
        return d.toHours() > 0 ? d.toHours() + "h" + d.toMinutesPart() + "m" : d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }

    @Override
    public Integer call() throws InterruptedException {
        final QueryClient query = new QueryClient(connection.queryUrl());
        final PrintWriter out = spec.commandLine().getOut();
        final double perSecond = perSecond(providerLimit);
        final ProviderCallRate rate = connection.gatewayUrl().map(ProviderCallRate::new).orElse(null);
        while (true) {
            final JsonNode b = query.get("/batches", batch);
            final StringBuilder line = new StringBuilder();
            long open = 0;
            for (final Iterator<Map.Entry<String, JsonNode>> it = b.path("counts").fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                line.append(' ').append(e.getKey()).append(' ').append(e.getValue().asLong());
                if (!JobStates.isTerminal(e.getKey())) {
                    open += e.getValue().asLong();
                }
            }
            final long waiting = waitingForProvider(b.path("counts"));
            final String calls = rate == null ? "" : rate.sample()
                    .map(r -> String.format(" | provider %.1f calls/s of %.1f allowed", r, perSecond)).orElse("");
            out.print((watch ? "\r" : "") + "batch " + batch + ": " + b.path("total").asLong() + " jobs |" + line
                    + " | credits reserved " + b.path("reservedCredits").asLong() + ", spent " + b.path("spentCredits").asLong()
                    + calls
                    + (waiting > 0 ? " | ETA " + eta(waiting, perSecond) + " at the provider's limit" : "")
                    + (watch ? "        " : System.lineSeparator()));
            out.flush();
            if (!watch || open == 0) {
                if (watch) {
                    out.println();
                    out.flush();
                }
                return 0;
            }
            TimeUnit.SECONDS.sleep(2); // redraw interval of a display loop, not synchronisation
        }
    }
}
