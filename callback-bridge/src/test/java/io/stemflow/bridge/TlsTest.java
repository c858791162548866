package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.avro.SeparationResult;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The bridge terminating TLS itself, from a PKCS12 keystore made with the JDK's keytool. */
@Tag("broker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {

    private static final String PASSWORD = "keystore-pw-0123";
    private static final String BODY = "{\"code\": 200, \"data\": {\"task_id\": \"task-1\"}}";

    private Path keystore;

    @BeforeAll
    void createKeystore(@TempDir final Path dir) throws Exception {
        keystore = dir.resolve("bridge.p12");
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "bridge",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
    }

    @Test
    void shouldServeCallbacksOverHttpsOnlyWhenAKeystoreIsConfigured() throws Exception {
        // given
        final MockProducer<String, SeparationResult> producer = Fixtures.mockProducer(true);
        final Map<String, String> env = Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results");
        env.put(BridgeConfig.ENV_TLS_KEYSTORE, keystore.toString());
        env.put(BridgeConfig.ENV_TLS_KEYSTORE_PASSWORD, PASSWORD);

        try (CallbackBridge bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), producer, Fixtures.CLOCK)) {
            final CallbackClient https = new CallbackClient(bridge.url(), Fixtures.token(), trusting(keystore));
            final CallbackClient plain = new CallbackClient(
                    URI.create("http://127.0.0.1:" + bridge.url().getPort()), Fixtures.token());

            // when
            final int status = https.post("req-tls", BODY).statusCode();

            // then
            assertThat(bridge.url().getScheme()).isEqualTo("https");
            assertThat(status).isEqualTo(200);
            assertThat(producer.history()).extracting(r -> r.key()).containsExactly("req-tls");
            assertThat(https.get("/health/live").statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> plain.post("req-plain", BODY)).isInstanceOf(UncheckedIOException.class);
            assertThat(producer.history()).hasSize(1);
        }
    }

    @Test
    void shouldFailAtStartNamingTheVariableButNotThePasswordWhenTheKeystoreCannotBeOpened() {
        // given
        final Map<String, String> env = Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results");
        env.put(BridgeConfig.ENV_TLS_KEYSTORE, keystore.toString());
        env.put(BridgeConfig.ENV_TLS_KEYSTORE_PASSWORD, "wrong-password-42");
        final BridgeConfig config = BridgeConfig.fromEnv(env);

        // when / then
        assertThatThrownBy(() -> CallbackBridge.start(config, Fixtures.mockProducer(true), Fixtures.CLOCK))
                .isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("STEMFLOW_BRIDGE_TLS_KEYSTORE (" + keystore + ") cannot be opened as PKCS12 with "
                        + "STEMFLOW_BRIDGE_TLS_KEYSTORE_PASSWORD")
                .hasMessageNotContaining("wrong-password-42");
    }

    private static SSLContext trusting(final Path store) throws Exception {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trusted.load(in, PASSWORD.toCharArray());
        }
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
