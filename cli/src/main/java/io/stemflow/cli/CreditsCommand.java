package io.stemflow.cli;

import io.stemflow.schemas.AccountIds;
import com.fasterxml.jackson.databind.JsonNode;
import io.stemflow.avro.CreditGrant;
import io.stemflow.schemas.TopicNames;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow credits grant|show}. */
@Command(name = "credits", mixinStandardHelpOptions = true, description = "Grants credits to an account, or shows balances.",
        subcommands = {CreditsCommand.Grant.class, CreditsCommand.Show.class})
final class CreditsCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "Adds credits to an account's budget (idempotent by --grant-id).")
    static final class Grant implements java.util.concurrent.Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Option(names = "--account", required = true, description = "The account.")
        private String account;

        @Option(names = "--credits", required = true, description = "Positive number of credits.")
        private long credits;

        @Option(names = "--reason", defaultValue = "granted with the stemflow CLI", description = "Why (kept in the ledger).")
        private String reason;

        @Option(names = "--grant-id", description = "Id that makes the grant count once if sent again (default: a new UUID).")
        private String grantId;

        @Override
        public Integer call() throws Exception {
            if (credits <= 0) {
                throw new CliException(CliException.INVALID_INPUT, "--credits must be positive, was " + credits);
            }
            if (!AccountIds.isValid(account)) {
                throw new CliException(CliException.INVALID_INPUT, "--account must be " + AccountIds.RULE);
            }
            final String id = grantId == null ? UUID.randomUUID().toString() : grantId;
            try (KafkaProducer<String, SpecificRecord> producer = Producers.avro(connection)) {
                producer.send(new ProducerRecord<>(TopicNames.CREDIT_GRANTS, account,
                        new CreditGrant(id, account, credits, reason, Instant.now()))).get(60, TimeUnit.SECONDS);
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("Granted %d credits to %s (grant %s).%n", credits, account, id);
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one account's balance, or every account's.")
    static final class Show implements java.util.concurrent.Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Option(names = "--account", description = "Only this account.")
        private String account;

        @Override
        public Integer call() {
            final QueryClient query = connection.queryClient();
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("%-24s %12s %12s %12s %12s %6s%n", "account", "granted", "available", "reserved", "spent", "held");
            if (account != null) {
                line(out, query.get("/accounts", account));
            } else {
                for (final JsonNode a : query.get("/accounts", null).path("accounts")) {
                    line(out, a);
                }
            }
            out.flush();
            return 0;
        }

        private static void line(final PrintWriter out, final JsonNode a) {
            out.printf("%-24s %12d %12d %12d %12d %6d%n", a.path("accountId").asText(), a.path("granted").asLong(),
                    a.path("available").asLong(), a.path("reserved").asLong(), a.path("spent").asLong(),
                    a.path("held").asLong());
        }
    }
}
