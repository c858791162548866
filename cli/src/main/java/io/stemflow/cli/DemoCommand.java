package io.stemflow.cli;

import io.stemflow.localstack.Demo;
import io.stemflow.localstack.StackInfo;
import io.stemflow.serde.registry.RegistryConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stemflow demo}: the demo catalogue of {@code stemflow dev}, pushed through a stack that is
 * already running anywhere (a local stack, docker compose, a shared cluster), then the summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Pushes the demo back catalogue through a running stack and prints what came out.",
            "Both modes, two accounts, one budget too small at first and topped up halfway; it shows progress and prints"
                + " the summary read back from the topics.",
            "It grants credits to the demo accounts label-north and label-south: run it against a test deployment."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every demo job ended and the ledger balances",
                "1:a job did not end before --timeout, or the ledger does not balance",
                "2:bad usage", "5:no stack configured (see the connection options)"})
final class DemoCommand implements Callable<Integer> {

    /** The provider's documented limit: the call rate is measured over its windows and bounded by it. */
    private static final CallLimit PROVIDER_LIMIT = new CallLimit(20, Duration.ofSeconds(10));

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Option(names = "--tracks", defaultValue = "60", description = "Tracks in the catalogue (default: ${DEFAULT-VALUE}).")
    private int tracks;

    @Option(names = "--timeout", defaultValue = "PT10M",
            description = "How long to wait for every job to end, ISO-8601 (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--batch", description = "Batch id (default: demo-<epoch seconds>); the same id re-runs the same jobs.")
    private String batch;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        if (tracks < 2) {
            throw new CliException(CliException.INVALID_INPUT, "--tracks must be at least 2, was " + tracks);
        }
        final String bootstrap = connection.bootstrapServers();
        final RegistryConnection registryConnection = connection.registry();
        final String registry = registryConnection.urls();
        final Clock clock = Clock.systemUTC();
        final Demo.Settings defaults = Demo.Settings.defaults(clock);
        final Demo.Settings settings = new Demo.Settings(tracks, batch == null ? defaults.batchId() : batch, timeout,
                defaults.generousGrant(), defaults.tightGrant());
        final Supplier<String> providerLine = connection.gatewayUrl()
                .map(url -> providerLine(url, connection.tokenFor(url).orElse(null))).orElse(null);
        final Demo.Summary summary = new Demo(bootstrap, registry, settings, clock, providerLine,
                connection.kafkaSecurity()).withRegistryAuth(registryConnection.auth()).run(out);
        final Map<String, String> services = new LinkedHashMap<>();
        connection.queryUrlIfKnown().ifPresent(url -> services.put("query-api", url));
        Demo.print(summary, new StackInfo(bootstrap, registry, null, 0, null, services, Map.of()), out);
        return summary.allTerminal() && summary.ledgerBalanced() ? 0 : 1;
    }

    private static Supplier<String> providerLine(final String gatewayUrl, final String token) {
        final ProviderCallRate rate = new ProviderCallRate(gatewayUrl, token, PROVIDER_LIMIT);
        return () -> rate.sample()
                .map(r -> String.format(Locale.ROOT, "provider calls %s%.1f/s (last %ds)", r.atLeast() ? ">=" : "",
                        r.perSecond(), r.over().toSeconds()))
                .orElse("provider calls -");
    }
}
