package io.stemflow.cli;

import io.stemflow.localstack.StackInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
        return first(bootstrapServers, env.get(ENV_BOOTSTRAP), stack().map(StackInfo::bootstrapServers).orElse(null),
                "Kafka bootstrap servers", "--bootstrap-servers", ENV_BOOTSTRAP);
    }

    String registryUrl() {
        return first(registryUrl, env.get(ENV_REGISTRY), stack().map(StackInfo::schemaRegistryUrl).orElse(null),
                "schema registry URL", "--registry-url", ENV_REGISTRY);
    }

    String queryUrl() {
        return first(queryUrl, env.get(ENV_QUERY), stack().map(s -> s.services().get("query-api")).orElse(null),
                "query API URL", "--query-url", ENV_QUERY).replaceAll("/+$", "");
    }

    /** The query API's URL when known (for commands that only mention it). */
    Optional<String> queryUrlIfKnown() {
        if (queryUrl != null && !queryUrl.isBlank()) {
            return Optional.of(queryUrl.replaceAll("/+$", ""));
        }
        if (env.get(ENV_QUERY) != null && !env.get(ENV_QUERY).isBlank()) {
            return Optional.of(env.get(ENV_QUERY).replaceAll("/+$", ""));
        }
        return stack().map(s -> s.services().get("query-api"));
    }

    /** The gateway's URL when known (it is optional: only the call-rate display needs it). */
    Optional<String> gatewayUrl() {
        if (gatewayUrl != null && !gatewayUrl.isBlank()) {
            return Optional.of(gatewayUrl);
        }
        if (env.get(ENV_GATEWAY) != null && !env.get(ENV_GATEWAY).isBlank()) {
            return Optional.of(env.get(ENV_GATEWAY));
        }
        return stack().map(s -> s.services().get("gateway"));
    }

    private Optional<StackInfo> stack() {
        return Files.isRegularFile(stackFile) ? Optional.of(StackInfo.readFrom(stackFile)) : Optional.empty();
    }

    private String first(final String flag, final String fromEnv, final String fromStack, final String what,
                         final String option, final String variable) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        if (fromStack != null && !fromStack.isBlank()) {
            return fromStack;
        }
        throw new CliException(CliException.NOT_CONFIGURED, "No " + what + ": give " + option + ", set " + variable
                + ", or start a local stack (bin/stemflow dev) so that " + stackFile + " exists");
    }
}
