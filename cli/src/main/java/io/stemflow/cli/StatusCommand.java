package io.stemflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow status --batch ID [--watch]}: a batch's jobs by state, its place in the queues, an ETA. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows a batch's jobs by state, its credits, its place in the scheduler's queues and an ETA.",
            "The queues (jobs of higher classes ahead, the batch's share of the provider's calls, standing pauses and "
                + "cancels) come from the query API's GET /queues/batches/{id} where it has them. --watch redraws every "
                + "2 s until every job has ended, with the provider's call rate (from the gateway's metrics, over the "
                + "last minute) and what the gateway says is wrong when it is not UP. Jobs held by a pause or for credits are shown apart: they wait for someone. On a "
                + "terminal the lines are redrawn in place and wrapped to its width (COLUMNS, else stty size, else 80); "
                + "elsewhere (a pipe, a log) each redraw is printed as plain lines."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:shown", "1:the query API failed", "2:bad usage",
            "3:bad --provider-limit", "4:no such batch", "5:no stack to talk to"})
final class StatusCommand implements Callable<Integer> {

    private static final Duration REDRAW = Duration.ofSeconds(2);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Option(names = "--batch", required = true, description = "The batch id.")
    private String batch;

    @Option(names = "--watch", description = "Redraw until every job has ended (Ctrl-C to stop).")
    private boolean watch;

    @Option(names = "--provider-limit", defaultValue = "20/10s",
            description = "The provider's request limit, CALLS/DURATION, for the rate and the ETA (default: ${DEFAULT-VALUE}).")
    private String providerLimit;

    @Override
    public Integer call() throws InterruptedException {
        final CallLimit limit = CallLimit.parse(providerLimit, "--provider-limit");
        final QueryClient query = connection.queryClient();
        final PrintWriter out = spec.commandLine().getOut();
        final Clock clock = Clock.systemUTC();
        final BatchEta eta = new BatchEta(limit.perSecond(), limit.window());
        if (!watch) {
            final JsonNode b = query.get("/batches", batch);
            final Optional<JsonNode> queue = queueOf(query);
            StatusView.lines(batch, new StatusView.Seen(b, queue, false, Optional.empty(), Optional.empty()), limit,
                    eta.update(StatusView.count(b, StatusView.WAITING), StatusView.queueSeconds(queue, limit.perSecond()),
                            clock.instant())).forEach(out::println);
            out.flush();
            return 0;
        }
        final Optional<String> gateway = connection.gatewayUrl();
        final ProviderCallRate rate = new ProviderCallRate(gateway.orElse(null),
                gateway.flatMap(connection::tokenFor).orElse(null), limit);
        final Optional<GatewayProbe> probe = gateway.map(GatewayProbe::new);
        final boolean redraw = Terminal.redraws();
        final LiveLines screen = new LiveLines(out, redraw, redraw ? Terminal::width : () -> Terminal.DEFAULT_WIDTH);
        while (true) {
            final JsonNode b = query.get("/batches", batch);
            final Optional<JsonNode> queue = queueOf(query);
            final StatusView.Seen seen = new StatusView.Seen(b, queue, gateway.isPresent(),
                    gateway.isPresent() ? rate.sample() : Optional.empty(), probe.flatMap(GatewayProbe::problem));
            screen.draw(StatusView.lines(batch, seen, limit, eta.update(StatusView.count(b, StatusView.WAITING),
                    StatusView.queueSeconds(queue, limit.perSecond()), clock.instant())));
            if (StatusView.allEnded(b)) {
                return 0;
            }
            TimeUnit.MILLISECONDS.sleep(REDRAW.toMillis()); // the redraw interval of a display, not synchronisation
        }
    }

    /** The batch's place in the queues; empty where the query API has no queues (an older one) or cannot say now. */
    private Optional<JsonNode> queueOf(final QueryClient query) {
        try {
            return Optional.of(query.get("/queues/batches", batch));
        } catch (CliException e) {
            return Optional.empty();
        }
    }
}
