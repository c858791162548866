package io.stemflow.cli.bench;

import io.stemflow.localstack.ChildProcess;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackInfo;
import io.stemflow.localstack.StackPorts;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.service.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The stack {@code stemflow bench} measures: the local stack's core (the broker as its own process, the schema
 * registry, every topic), the pipeline ({@code PipelineMain}: topology and query API) and the callback bridge
 * ({@code BridgeMain}), each a JVM of its own so that its heap and resident set are its own. No gateway and no
 * provider run: the benchmark plays both for its jobs (it writes the submitter's outcomes and the provider's
 * results), so every figure is stemflow's own and nothing waits on the provider's rate.
 */
final class BenchStack implements AutoCloseable {

    /** The query API needs a viewer token; this stack lives as long as the benchmark and only on loopback. */
    static final String VIEWER_TOKEN = "bench-viewer-" + HexFormat.of().formatHex(random(12));
    private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(3);

    private final Path dataDir;
    private final LocalStack core;
    private final ChildProcess pipeline;
    private final ChildProcess bridge;
    private final URI query;
    private final URI bridgeUrl;
    private final CallbackToken callbackToken;

    private BenchStack(final Path dataDir, final LocalStack core, final ChildProcess pipeline, final ChildProcess bridge,
                       final URI query, final URI bridgeUrl, final CallbackToken callbackToken) {
        this.dataDir = dataDir;
        this.core = core;
        this.pipeline = pipeline;
        this.bridge = bridge;
        this.query = query;
        this.bridgeUrl = bridgeUrl;
        this.callbackToken = callbackToken;
    }

    /**
     * @param heap  the pipeline's maximum heap ({@code -Xmx})
     * @param lead  the scheduler's lead: jobs handed on ahead of their outcomes (the benchmark settles them at once)
     */
    static BenchStack start(final Path dataDir, final int partitions, final String heap, final int lead) {
        final LocalStack core = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), partitions, true,
                false));
        ChildProcess pipeline = null;
        try {
            final StackInfo info = core.info();
            final Map<String, String> common = new HashMap<>();
            common.put("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", info.bootstrapServers());
            common.put("STEMFLOW_SCHEMA_REGISTRY_URL", info.schemaRegistryUrl());
            common.put(RegistryConnection.ENV_USER, info.credentials().get(StackInfo.REGISTRY_USER));
            common.put(RegistryConnection.ENV_PASSWORD_FILE, info.credentials().get(StackInfo.REGISTRY_PASSWORD_FILE));

            final int queryPort = freePort();
            final Map<String, String> pipelineEnv = new HashMap<>(common);
            pipelineEnv.put("STEMFLOW_STREAMS_APPLICATION_ID", "stemflow-pipeline");
            pipelineEnv.put("STEMFLOW_STREAMS_STATE_DIR", stateDir(dataDir).toAbsolutePath().toString());
            pipelineEnv.put("STEMFLOW_QUERY_HOST", "127.0.0.1");
            pipelineEnv.put("STEMFLOW_QUERY_ADVERTISED_HOST", "127.0.0.1");
            pipelineEnv.put("STEMFLOW_QUERY_PORT", Integer.toString(queryPort));
            pipelineEnv.put("STEMFLOW_VIEWER_TOKENS", VIEWER_TOKEN);
            pipelineEnv.put("STEMFLOW_SCHEDULER_LEAD", Integer.toString(lead));
            pipeline = ChildProcess.start("pipeline", "io.stemflow.pipeline.app.PipelineMain",
                    List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"), pipelineEnv,
                    dataDir.resolve("logs").resolve("pipeline.log"),
                    URI.create("http://127.0.0.1:" + queryPort + "/health"), CHILD_TIMEOUT);

            final byte[] key = HexFormat.of().formatHex(random(32)).getBytes(StandardCharsets.US_ASCII);
            final Path keyFile = dataDir.resolve("secrets").resolve("bench-callback-key");
            writeSecret(keyFile, key);
            final int bridgePort = freePort();
            final Map<String, String> bridgeEnv = new HashMap<>(common);
            bridgeEnv.put("STEMFLOW_BRIDGE_HOST", "127.0.0.1");
            bridgeEnv.put("STEMFLOW_BRIDGE_PORT", Integer.toString(bridgePort));
            bridgeEnv.put("STEMFLOW_CALLBACK_HMAC_KEY_FILE", keyFile.toAbsolutePath().toString());
            // one client (this benchmark) with every callback in flight: the per-client cap is not what is measured
            bridgeEnv.put("STEMFLOW_BRIDGE_MAX_REQUESTS_PER_CLIENT", "10000");
            final URI bridgeUrl = URI.create("http://127.0.0.1:" + bridgePort);
            final ChildProcess bridge = ChildProcess.start("callback bridge", "io.stemflow.bridge.BridgeMain",
                    List.of(), bridgeEnv, dataDir.resolve("logs").resolve("bridge.log"), bridgeUrl.resolve("/health/ready"),
                    CHILD_TIMEOUT);
            return new BenchStack(dataDir, core, pipeline, bridge, URI.create("http://127.0.0.1:" + queryPort + "/"),
                    bridgeUrl, CallbackToken.withKey(key));
        } catch (RuntimeException e) {
            if (pipeline != null) {
                pipeline.close();
            }
            core.close();
            throw e;
        }
    }

    StackInfo info() {
        return core.info();
    }

    RegistryConnection registry() {
        return core.info().registry();
    }

    String bootstrapServers() {
        return core.info().bootstrapServers();
    }

    /** The clients' connection to the stack's broker (plain, on loopback). */
    Map<String, Object> kafka() {
        return Map.of("bootstrap.servers", core.info().bootstrapServers());
    }

    URI query() {
        return query;
    }

    URI bridgeUrl() {
        return bridgeUrl;
    }

    CallbackToken callbackToken() {
        return callbackToken;
    }

    /** The stemflow processes whose memory is reported, by name. */
    Map<String, Long> processes() {
        final Map<String, Long> pids = new java.util.LinkedHashMap<>();
        pids.put("pipeline", pipeline.pid());
        pids.put("callback bridge", bridge.pid());
        return pids;
    }

    Path stateDir() {
        return stateDir(dataDir);
    }

    Path brokerDataDir() {
        return dataDir.resolve("kafka");
    }

    Path dataDir() {
        return dataDir;
    }

    private static Path stateDir(final Path dataDir) {
        return dataDir.resolve("streams");
    }

    @Override
    public void close() {
        try {
            bridge.close();
        } finally {
            try {
                pipeline.close();
            } finally {
                core.close();
            }
        }
    }

    private static void writeSecret(final Path file, final byte[] value) {
        OwnerOnly.directory(file.getParent());
        OwnerOnly.writeString(file, new String(value, StandardCharsets.US_ASCII));
    }

    private static byte[] random(final int bytes) {
        final byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on loopback", e);
        }
    }
}
