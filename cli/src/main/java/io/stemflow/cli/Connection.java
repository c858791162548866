package io.stemflow.cli;

import io.stemflow.localstack.StackInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Where stemflow runs: from flags, else the environment, else a running local stack's
 * {@code stack.json}. Shared by every command that talks to a stack (picocli mixin).
 */
final class Connection {

    static final String ENV_BOOTSTRAP = "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS";
    static final String ENV_REGISTRY = "STEMFLOW_SCHEMA_REGISTRY_URL";
    static final String ENV_QUERY = "STEMFLOW_QUERY_URL";
    static final String ENV_GATEWAY = "STEMFLOW_GATEWAY_URL";

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

    String bootstrapServers() {
        return required(bootstrapServers, ENV_BOOTSTRAP, StackInfo::bootstrapServers, "Kafka bootstrap servers",
                "--bootstrap-servers");
    }

    String registryUrl() {
        return required(registryUrl, ENV_REGISTRY, StackInfo::schemaRegistryUrl, "schema registry URL", "--registry-url");
    }

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
