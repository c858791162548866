package io.stemflow.cli;

import io.stemflow.schemas.Contract;
import io.stemflow.schemas.ContractRegistration;
import io.stemflow.schemas.IncompatibleContractException;
import io.stemflow.schemas.TopicNames;
import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow registry ...}: the schema registry settings stemflow relies on. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Applies stemflow's settings to the schema registry.",
        subcommands = RegistryCommand.Configure.class)
final class RegistryCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: configure");
    }

    /**
     * {@code stemflow registry configure}: sets the compatibility level of the value subject of every
     * topic of the catalogue ({@code <topic>-value}, the topic-name strategy), so that the registry
     * itself refuses a schema change that the repository's history guard (SchemaCompatibilityTest,
     * FULL_TRANSITIVE) would refuse; then registers the contract under every subject ({@link
     * ContractRegistration}), so that other teams' producers find it before stemflow's first write, and an
     * upgrade's new versions are registered (or refused, loudly) before its services start. The image's
     * one-shot {@code schema-config} service runs it. Every subject is tried; the exit code says whether
     * all of them took the level and hold the contract.
     */
    @Command(name = "configure", mixinStandardHelpOptions = true,
            description = {"Sets the compatibility level of every stemflow <topic>-value subject in the schema registry, then"
                    + " registers stemflow's schema (its .avsc) under each, so that it is there before anything is produced.",
                "The registry URL may carry user:password@ for basic auth; http and https. Needs the registry's admin role."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every subject set and holding stemflow's schema (or listed)",
                "1:the registry refused (a level, or a schema incompatible with one a subject holds) or could not be reached",
                "2:bad usage (an unknown level, a bad URL)", "5:no registry to talk to"})
    static final class Configure implements Callable<Integer> {

        static final String ENV_LEVEL = "STEMFLOW_SCHEMA_COMPATIBILITY";
        private static final int USAGE = 2;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Option(names = "--level", defaultValue = "${env:" + ENV_LEVEL + ":-FULL_TRANSITIVE}",
                description = "Compatibility level to set, one of ${COMPLETION-CANDIDATES} (env " + ENV_LEVEL
                        + ", default FULL_TRANSITIVE).")
        private CompatibilityLevel level;

        @Option(names = "--list", description = "Print the subjects that would be set and exit, without a registry.")
        private boolean list;

        /** The value subject of every topic of the catalogue, in flow order. */
        static List<String> subjects() {
            return TopicNames.ALL.stream().map(Contract::valueSubject).toList();
        }

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            if (list) {
                subjects().forEach(out::println);
                out.flush();
                return 0;
            }
            final RestSchemaRegistryClient client = client(connection.registry());
            final PrintWriter err = spec.commandLine().getErr();
            int failed = 0;
            for (final String subject : subjects()) {
                try {
                    out.println("registry: " + subject + " -> " + client.setCompatibility(subject, level));
                } catch (SchemaRegistryException e) {
                    failed++;
                    err.println("stemflow: " + subject + " not set: " + e.getMessage());
                }
                out.flush();
                err.flush();
            }
            if (failed > 0) {
                throw new CliException(1, failed + " of " + subjects().size() + " subjects not set to " + level
                        + " in registry " + client.endpoint());
            }
            try {
                for (final ContractRegistration.Outcome outcome : ContractRegistration.register(client)) {
                    out.println("registry: " + outcome.subject() + " holds schema id " + outcome.id()
                            + (outcome.added() ? " (registered now)" : " (already registered)"));
                }
            } catch (IncompatibleContractException e) {
                throw new CliException(1, e.getMessage());
            } catch (SchemaRegistryException e) {
                throw new CliException(1, "stemflow's schemas not registered: " + e.getMessage());
            } finally {
                out.flush();
            }
            return 0;
        }

        private static RestSchemaRegistryClient client(final RegistryConnection registry) {
            try {
                return new RestSchemaRegistryClient(registry.clientConfig());
            } catch (IllegalArgumentException e) {
                // RegistryClientConfig's messages never show a credential
                throw new CliException(USAGE, "Bad schema registry URL: " + e.getMessage());
            }
        }
    }
}
