package io.stemflow.cli;

import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.localstack.KafkaAccess;
import io.stemflow.localstack.KafkaAccess.Principal;
import io.stemflow.localstack.SecureKafka;
import io.stemflow.service.SecretFile;
import io.stemflow.service.Settings;
import io.stemflow.service.SettingsException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stemflow kafka-access ...}: the principals and ACLs of a secured cluster, from the one table
 * ({@link KafkaAccess}) that {@code stemflow dev --secure} applies too. The compose deployment's one-shot
 * {@code kafka-access} service runs {@code apply}.
 */
@Command(name = "kafka-access", mixinStandardHelpOptions = true,
        description = "Applies stemflow's Kafka principals (SCRAM-SHA-512) and ACLs to a secured cluster.",
        subcommands = {KafkaAccessCommand.Apply.class, KafkaAccessCommand.ListTable.class})
final class KafkaAccessCommand implements Runnable {

    static final String ENV_PASSWORDS_DIR = "STEMFLOW_KAFKA_PASSWORDS_DIR";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: apply or list");
    }

    /** The file a principal's password is read from: {@code kafka_<principal>_password}, as docker/init-secrets.sh writes it. */
    static String passwordFileName(final Principal principal) {
        return "kafka_" + principal.name().toLowerCase(Locale.ROOT) + "_password";
    }

    /**
     * {@code stemflow kafka-access apply}: connects as an administrator (a super user: the {@code STEMFLOW_KAFKA_*}
     * settings, e.g. PLAIN over TLS), sets the SCRAM-SHA-512 credential of every principal from its password file
     * ({@code <dir>/kafka_<principal>_password}), creates every ACL of the table (existing ones stay, none is
     * removed), and waits until each principal can log in with the same TLS settings. Run it again after changing a
     * password file: the credential is replaced.
     */
    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Sets every stemflow principal's SCRAM-SHA-512 credential from its password file and creates"
                + " the ACLs of the table, as the administrator the STEMFLOW_KAFKA_* settings name; then waits until"
                + " every principal can log in."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:applied, every principal logs in", "1:Kafka refused or could not be reached",
                "2:bad usage", "5:a password file or a setting is missing"})
    static final class Apply implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Option(names = "--passwords-dir", defaultValue = "${env:" + ENV_PASSWORDS_DIR + ":-/run/secrets}",
                description = "Directory of the principals' password files kafka_<principal>_password (env "
                        + ENV_PASSWORDS_DIR + ", default ${DEFAULT-VALUE}).")
        private Path passwordsDir;

        private Map<String, String> env = System.getenv();

        Apply withEnvironment(final Map<String, String> environment) {
            this.env = environment;
            connection.withEnvironment(environment);
            return this;
        }

        @Override
        public Integer call() {
            final Map<Principal, Path> files = new EnumMap<>(Principal.class);
            final Map<Principal, String> passwords = new EnumMap<>(Principal.class);
            for (final Principal principal : Principal.values()) {
                final Path file = passwordsDir.resolve(passwordFileName(principal));
                if (!Files.isReadable(file)) {
                    throw new CliException(CliException.NOT_CONFIGURED, "No password file for " + principal.user()
                            + ": " + file + " (docker/init-secrets.sh writes it)");
                }
                final List<String> values;
                try {
                    values = SecretFile.values(passwordFileName(principal), file);
                } catch (IllegalArgumentException e) {
                    throw new CliException(CliException.NOT_CONFIGURED, e.getMessage());
                }
                if (values.isEmpty()) {
                    throw new CliException(CliException.NOT_CONFIGURED, "The password file of " + principal.user()
                            + " is empty: " + file);
                }
                files.put(principal, file);
                passwords.put(principal, values.get(0));
            }
            final KafkaClientSecurity admin = connection.kafkaSecurity();
            final String bootstrap = connection.bootstrapServers();
            final Duration took;
            try {
                took = SecureKafka.apply(bootstrap, admin.applyTo(new HashMap<>()), passwords,
                        principal -> login(principal, files.get(principal)).applyTo(new HashMap<>()));
            } catch (IllegalStateException e) {
                throw new CliException(1, e.getMessage()); // Kafka's messages name no password
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("kafka-access: SCRAM-SHA-512 credentials of %d principals (%s) and %d ACLs applied on %s in %d ms;"
                    + " every principal logs in%n", passwords.size(),
                    String.join(", ", passwords.keySet().stream().map(Principal::user).toList()),
                    KafkaAccess.bindings().size(), bootstrap, took.toMillis());
            out.flush();
            return 0;
        }

        /** The administrator's settings with the principal's SCRAM user and password file instead. */
        private KafkaClientSecurity login(final Principal principal, final Path passwordFile) {
            final Map<String, String> e = new HashMap<>(env);
            e.remove(KafkaClientSecurity.SASL_PASSWORD);
            e.put(KafkaClientSecurity.SASL_MECHANISM, "SCRAM-SHA-512");
            e.put(KafkaClientSecurity.SASL_USERNAME, principal.user());
            e.put(KafkaClientSecurity.SASL_PASSWORD + Settings.FILE_SUFFIX, passwordFile.toAbsolutePath().toString());
            try {
                return KafkaClientSecurity.fromEnv(principal.user(), e);
            } catch (SettingsException ex) {
                throw new CliException(CliException.NOT_CONFIGURED, ex.getMessage());
            }
        }
    }

    /** {@code stemflow kafka-access list}: the table, as Markdown, without Kafka. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Prints the principals' ACL table (Markdown), without Kafka.")
    static final class ListTable implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            out.print(KafkaAccess.markdown());
            out.flush();
            return 0;
        }
    }
}
