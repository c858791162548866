package io.stemflow.bridge;

import io.stemflow.avro.SeparationResult;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import io.stemflow.service.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Keys, clock, configurations and contract examples shared by the bridge's tests. */
public final class Fixtures {

    public static final String CALLBACK_KEY = "test-callback-key-0123456789abcdef";
    public static final String WEBHOOK_KEY = "test-webhook-key-fedcba9876543210";
    public static final Instant NOW = Instant.parse("2026-11-24T12:00:00.123Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** Where nothing listens: for bridges over a MockProducer, which never connect. */
    public static final String NO_KAFKA = "127.0.0.1:9";
    public static final String NO_REGISTRY = "http://127.0.0.1:9";

    private Fixtures() {
    }

    /** A minimal environment: loopback, a free port, the test callback key; callers add to it. */
    public static Map<String, String> env(final String bootstrap, final String registryUrl, final String topic) {
        final Map<String, String> env = new HashMap<>();
        env.put(BridgeConfig.ENV_HOST, "127.0.0.1");
        env.put(BridgeConfig.ENV_PORT, "0");
        env.put(BridgeConfig.ENV_KAFKA_BOOTSTRAP, bootstrap);
        env.put(BridgeConfig.ENV_SCHEMA_REGISTRY_URL, registryUrl);
        env.put(BridgeConfig.ENV_CALLBACK_HMAC_KEY, CALLBACK_KEY);
        env.put(BridgeConfig.ENV_RESULTS_TOPIC, topic);
        return env;
    }

    public static CallbackToken token() {
        return CallbackToken.withKey(CALLBACK_KEY.getBytes(StandardCharsets.UTF_8));
    }

    public static WebhookSignature signer() {
        return new WebhookSignature(Secret.utf8(WEBHOOK_KEY), BridgeConfig.DEFAULT_SIGNATURE_MAX_AGE, CLOCK);
    }

    /** A MockProducer that serialises like the real one (in-memory registry). */
    public static MockProducer<String, SeparationResult> mockProducer(final boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new StringSerializer(),
                AvroSerdes.specific(SeparationResult.class, new InMemorySchemaRegistryClient(), Map.of(), false)
                        .serializer());
    }

    /** The text of {@code docs/provider-contract/examples/<name>}. */
    public static String example(final String name) {
        final Path file = repoRoot().resolve("docs/provider-contract/examples").resolve(name);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read contract example " + file, e);
        }
    }

    /** The names of every {@code callback-*.json} example of the contract, sorted. */
    public static java.util.List<String> callbackExamples() {
        try (java.util.stream.Stream<Path> files = Files.list(repoRoot().resolve("docs/provider-contract/examples"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("callback-") && n.endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the contract examples", e);
        }
    }

    private static Path repoRoot() {
        final String configured = System.getProperty("stemflow.repo.root");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docs/provider-contract/examples"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Cannot find docs/provider-contract/examples above " + configured);
        }
        return dir;
    }
}
