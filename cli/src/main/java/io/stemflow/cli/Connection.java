package io.stemflow.cli;

import org.apache.kafka.clients.CommonClientConfigs;
import java.util.HashMap;
import io.stemflow.service.SettingsException;
import io.stemflow.localstack.SecureKafka;
import io.stemflow.localstack.KafkaAccess;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.localstack.StackInfo;
import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;
import io.stemflow.service.SecretFile;
import io.stemflow.service.Settings;

/**
 * Where stemflow runs: from flags, else the environment, else a running local stack's
 * {@code stack.json}. Shared by every command that talks to a stack (picocli mixin).
 */
final class Connection {

    static final String ENV_BOOTSTRAP = "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS";
    static final String ENV_REGISTRY = "STEMFLOW_SCHEMA_REGISTRY_URL";
    static final String ENV_QUERY = "STEMFLOW_QUERY_URL";
    static final String ENV_GATEWAY = "STEMFLOW_GATEWAY_URL";
    /** The bearer token the CLI sends to the query API and the gateway (or {@code STEMFLOW_TOKEN_FILE}). */
    static final String ENV_TOKEN = "STEMFLOW_TOKEN";

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (env " + ENV_BOOTSTRAP + ").")
    private String bootstrapServers;

    @Option(names = "--registry-url", description = "Schema registry URL (env " + ENV_REGISTRY + ").")
    private String registryUrl;

    @Option(names = "--query-url", description = "Query API URL (env " + ENV_QUERY + ").")
    private String queryUrl;

    @Option(names = "--gateway-url", description = "Gateway health/metrics URL, for the provider call rate (env " + ENV_GATEWAY + ").")
    private String gatewayUrl;

    @Option(names = "--stack-file", defaultValue = ".stemflow/stack.json",
            description = "A running local stack's address file, used for what is not given (default: ${DEFAULT-VALUE}).")
    private Path stackFile;

    private Map<String, String> env = System.getenv();

    Connection withEnvironment(final Map<String, String> environment) {
        this.env = environment;
        return this;
    }

    /** The running local stack this connection talks to, when its file exists and names the same Kafka. */
    Optional<StackInfo> localStack() {
        if (!Files.isRegularFile(stackFile)) {
            return Optional.empty();
        }
        final StackInfo stack = StackInfo.readFrom(stackFile);
        return stack.bootstrapServers().equals(bootstrapServers()) ? Optional.of(stack) : Optional.empty();
    }

    String bootstrapServers() {
        return required(bootstrapServers, ENV_BOOTSTRAP, StackInfo::bootstrapServers, "Kafka bootstrap servers",
                "--bootstrap-servers");
    }

    /**
     * The Kafka client security, which goes with the bootstrap servers: given by flag or environment, it is the
     * environment's ({@code STEMFLOW_KAFKA_*}, {@link KafkaClientSecurity}); taken from a running local stack's file,
     * it is that stack's: on a secure stack ({@code dev --secure}) the operator principal's files.
     */
    KafkaClientSecurity kafkaSecurity() {
        final boolean given = bootstrapServers != null && !bootstrapServers.isBlank()
                || env.get(ENV_BOOTSTRAP) != null && !env.get(ENV_BOOTSTRAP).isBlank();
        try {
            if (given || !Files.isRegularFile(stackFile)) {
                return KafkaClientSecurity.fromEnv("stemflow", env);
            }
            final StackInfo stack = StackInfo.readFrom(stackFile);
            return stack.services().containsKey(SecureKafka.STACK_KEY)
                    ? KafkaClientSecurity.fromEnv("stemflow", SecureKafka.clientEnv(Path.of(stack.dataDir()),
                            KafkaAccess.Principal.OPERATOR))
                    : KafkaClientSecurity.none();
        } catch (SettingsException e) {
            throw new CliException(2, e.getMessage()); // names the variables, never a secret
        }
    }

    /** Bootstrap servers and client security: the start of every Kafka client's configuration. */
    Map<String, Object> kafkaClient() {
        final Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return kafkaSecurity().applyTo(config);
    }

    String registryUrl() {
        return required(registryUrl, ENV_REGISTRY, StackInfo::schemaRegistryUrl, "schema registry URL", "--registry-url");
    }

    /**
     * The schema registry with the credentials to use: {@code STEMFLOW_SCHEMA_REGISTRY_USER} and
     * {@code STEMFLOW_SCHEMA_REGISTRY_PASSWORD(_FILE)} ({@link RegistryConnection#read}, the services' one reader),
     * else, when the URL is a running local stack's, that stack's registry user (its password file, named in
     * {@code stack.json} under {@value #STACK_REGISTRY_USER} and {@value #STACK_REGISTRY_PASSWORD_FILE}).
     */
    RegistryConnection registry() {
        final String url = registryUrl();
        final io.stemflow.service.Settings settings = new io.stemflow.service.Settings("stemflow", env);
        final RegistryAuth fromEnv = RegistryConnection.auth(settings);
        if (!settings.problems().isEmpty()) {
            throw new CliException(CliException.NOT_CONFIGURED, String.join("; ", settings.problems()));
        }
        final RegistryConnection connection;
        try {
            connection = new RegistryConnection(url, fromEnv);
        } catch (IllegalArgumentException e) {
            // RegistryConnection's messages never show a credential
            throw new CliException(picocli.CommandLine.ExitCode.USAGE, "Bad schema registry URL: " + e.getMessage());
        }
        final boolean fromStack = (registryUrl == null || registryUrl.isBlank())
                && (env.get(ENV_REGISTRY) == null || env.get(ENV_REGISTRY).isBlank());
        if (!(connection.auth() instanceof RegistryAuth.None) || !fromStack) {
            return connection;
        }
        final Map<String, String> stackCredentials = StackInfo.readFrom(stackFile).credentials();
        final String user = stackCredentials.get(STACK_REGISTRY_USER);
        final String passwordFile = stackCredentials.get(STACK_REGISTRY_PASSWORD_FILE);
        if (user == null || passwordFile == null) {
            return connection;
        }
        final io.stemflow.service.Settings stack = new io.stemflow.service.Settings("local stack", Map.of(
                RegistryConnection.ENV_USER, user, RegistryConnection.ENV_PASSWORD_FILE, passwordFile));
        final RegistryAuth auth = RegistryConnection.auth(stack);
        if (!stack.problems().isEmpty()) {
            throw new CliException(CliException.NOT_CONFIGURED, String.join("; ", stack.problems()));
        }
        return connection.withAuth(auth);
    }

    /** Keys of a local stack's registry user in {@code stack.json}'s credentials (a file name, never a password). */
    static final String STACK_REGISTRY_USER = StackInfo.REGISTRY_USER;
    static final String STACK_REGISTRY_PASSWORD_FILE = StackInfo.REGISTRY_PASSWORD_FILE;

    String queryUrl() {
        return required(queryUrl, ENV_QUERY, Connection::queryApi, "query API URL", "--query-url").replaceAll("/+$", "");
    }

    /** The query API's URL when known (for commands that only mention it). */
    Optional<String> queryUrlIfKnown() {
        return known(queryUrl, ENV_QUERY, Connection::queryApi).map(url -> url.replaceAll("/+$", ""));
    }

    /** The gateway's URL when known (it is optional: only the call-rate display needs it). */
    Optional<String> gatewayUrl() {
        return known(gatewayUrl, ENV_GATEWAY, s -> s.services().get("gateway"));
    }

    /**
     * The bearer token for the service at {@code serviceUrl}: {@code STEMFLOW_TOKEN} or {@code STEMFLOW_TOKEN_FILE}
     * when set; else, when {@code serviceUrl} is one of a running local stack's own services, that stack's viewer
     * token (the CLI only reads over HTTP; its control actions go through Kafka), or its operator token when there
     * is no viewer token. A local stack's token is never sent to another address. Empty: no token known.
     */
    Optional<String> tokenFor(final String serviceUrl) {
        final Settings settings = new Settings("stemflow", env);
        final Optional<String> given = settings.secretText(ENV_TOKEN);
        if (!settings.problems().isEmpty()) {
            throw new CliException(CliException.NOT_CONFIGURED, String.join("; ", settings.problems()));
        }
        if (given.isPresent() || !Files.isRegularFile(stackFile)) {
            return given;
        }
        final StackInfo stack = StackInfo.readFrom(stackFile);
        final String url = serviceUrl.replaceAll("/+$", "");
        if (stack.services().values().stream().noneMatch(own -> own.replaceAll("/+$", "").equals(url))) {
            return Optional.empty();
        }
        for (final String key : new String[] {StackInfo.VIEWER_TOKEN_FILE, StackInfo.OPERATOR_TOKEN_FILE}) {
            final String file = stack.credentials().get(key);
            if (file != null && Files.isReadable(Path.of(file))) {
                try {
                    final java.util.List<String> values = SecretFile.values(key, Path.of(file));
                    if (!values.isEmpty()) {
                        return Optional.of(values.get(0));
                    }
                } catch (IllegalArgumentException e) {
                    throw new CliException(CliException.NOT_CONFIGURED, e.getMessage() + " (named by " + stackFile
                            + "); or set " + ENV_TOKEN + " / " + ENV_TOKEN + Settings.FILE_SUFFIX);
                }
            }
        }
        return Optional.empty();
    }

    /** A query API client with the token for it ({@link #tokenFor}). */
    QueryClient queryClient() {
        final String url = queryUrl();
        return new QueryClient(url, tokenFor(url).orElse(null));
    }

    private static String queryApi(final StackInfo stack) {
        return stack.services().get("query-api");
    }

    /** The flag, else the environment variable, else the running stack's file; the first that is not blank. */
    private Optional<String> known(final String flag, final String variable, final Function<StackInfo, String> fromStack) {
        if (flag != null && !flag.isBlank()) {
            return Optional.of(flag);
        }
        final String fromEnv = env.get(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv);
        }
        final Optional<StackInfo> stack = Files.isRegularFile(stackFile) ? Optional.of(StackInfo.readFrom(stackFile))
                : Optional.empty();
        return stack.map(fromStack).filter(value -> !value.isBlank());
    }

    private String required(final String flag, final String variable, final Function<StackInfo, String> fromStack,
                            final String what, final String option) {
        return known(flag, variable, fromStack).orElseThrow(() -> new CliException(CliException.NOT_CONFIGURED,
                "No " + what + ": give " + option + ", set " + variable
                        + ", or start a local stack (bin/stemflow dev) so that " + stackFile + " exists"));
    }
}
