package io.stemflow.localstack;

import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.kafka.embedded.BrokerSecurity;
import io.stemflow.kafka.embedded.RandomSecret;
import io.stemflow.service.OwnerOnly;
import io.stemflow.kafka.embedded.SelfSignedTls;
import io.stemflow.localstack.KafkaAccess.Principal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secure local stack's Kafka credentials ({@code stemflow dev --secure}), made once per data directory under
 * {@code secrets/kafka/} (0700, every file 0600): the broker's self-signed TLS stores ({@link SelfSignedTls}), a
 * password per principal of {@link KafkaAccess.Principal} (SCRAM-SHA-512) and for the two PLAIN super users,
 * {@value #ADMIN} (the stack's own administration: topics, ACLs, SCRAM credentials) and {@value #BROKER} (the
 * broker's connections to itself). Services get their principal through {@code *_FILE} variables
 * ({@link #clientEnv(Path, Principal)}), never a password in an environment or on a command line.
 *
 * <p>At every start {@link #apply} sets each principal's SCRAM credential from its file (so a rotated file takes
 * effect at the next start, and a data directory that ran without {@code --secure} before gets them) and creates the
 * ACLs of {@link KafkaAccess}, then waits until every principal can log in.
 */
public final class SecureKafka {

    private static final Logger LOG = LoggerFactory.getLogger(SecureKafka.class);
    static final String ADMIN = "admin";
    static final String BROKER = "broker";
    /** The key of {@link StackInfo#services()} that says the stack's Kafka is secured, and how. */
    public static final String STACK_KEY = "kafka-security";
    private static final int SCRAM_ITERATIONS = 8192;
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Path dir;
    private final SelfSignedTls tls;
    private final BrokerSecurity broker;

    private SecureKafka(final Path dataDir, final SelfSignedTls tls, final BrokerSecurity broker) {
        this.dataDir = dataDir;
        this.dir = dir(dataDir);
        this.tls = tls;
        this.broker = broker;
    }

    /** The credentials of the stack in {@code dataDir}, made at first use. */
    public static SecureKafka in(final Path dataDir) {
        OwnerOnly.directory(dataDir);
        final Path dir = OwnerOnly.directory(dir(dataDir));
        final SelfSignedTls tls = SelfSignedTls.in(dir.resolve("tls"));
        final Map<String, String> plain = new LinkedHashMap<>();
        plain.put(BROKER, RandomSecret.in(passwordFile(dataDir, BROKER)));
        plain.put(ADMIN, RandomSecret.in(passwordFile(dataDir, ADMIN)));
        for (final Principal principal : Principal.values()) {
            RandomSecret.in(passwordFile(dataDir, principal.user()));
        }
        final BrokerSecurity broker = new BrokerSecurity(tls.keystore(), tls.keystorePassword(), tls.truststore(),
                tls.truststorePassword(), BROKER, plain);
        return new SecureKafka(dataDir, tls, broker);
    }

    /** What the embedded broker is configured with. */
    public BrokerSecurity broker() {
        return broker;
    }

    /** The stack administrator's client properties (PLAIN over TLS, a super user), without bootstrap servers. */
    public Map<String, Object> adminClient() {
        return broker.plainClient(ADMIN);
    }

    /** The client security of {@code principal}, as its service reads it from {@link #clientEnv}. */
    public KafkaClientSecurity client(final Principal principal) {
        return KafkaClientSecurity.fromEnv(principal.user(), clientEnv(dataDir, principal));
    }

    /**
     * The {@code STEMFLOW_KAFKA_*} variables that make a service log in as {@code principal} on the secure stack in
     * {@code dataDir}: SASL_SSL, SCRAM-SHA-512, its password file and the trust store. Files only, no secret.
     */
    public static Map<String, String> clientEnv(final Path dataDir, final Principal principal) {
        final Path tlsDir = dir(dataDir).resolve("tls");
        final Map<String, String> env = new LinkedHashMap<>();
        env.put(KafkaClientSecurity.SECURITY_PROTOCOL, "SASL_SSL");
        env.put(KafkaClientSecurity.SASL_MECHANISM, "SCRAM-SHA-512");
        env.put(KafkaClientSecurity.SASL_USERNAME, principal.user());
        env.put(KafkaClientSecurity.SASL_PASSWORD + "_FILE", passwordFile(dataDir, principal.user()).toAbsolutePath().toString());
        env.put(KafkaClientSecurity.TRUSTSTORE_LOCATION, tlsDir.resolve("truststore.p12").toAbsolutePath().toString());
        env.put(KafkaClientSecurity.TRUSTSTORE_PASSWORD + "_FILE",
                tlsDir.resolve("truststore.p12.password").toAbsolutePath().toString());
        env.put(KafkaClientSecurity.TRUSTSTORE_TYPE, "PKCS12");
        return env;
    }

    /** Where the credentials of the stack in {@code dataDir} live. */
    public static Path dir(final Path dataDir) {
        return dataDir.resolve("secrets").resolve("kafka");
    }

    /** A line for the stack's address list: what secures Kafka and where the principals' files are. */
    public String describe() {
        return "SASL_SSL, SCRAM-SHA-512, ACLs; principals' files in " + dir.toAbsolutePath() + ", certificate "
                + tls.certificate().toAbsolutePath();
    }

    /**
     * Sets every principal's SCRAM credential, creates the ACLs of {@link KafkaAccess} (existing ones stay), and waits
     * until every principal can log in.
     */
    public void apply(final String bootstrap) {
        final Map<Principal, String> passwords = new java.util.EnumMap<>(Principal.class);
        for (final Principal principal : Principal.values()) {
            passwords.put(principal, RandomSecret.in(passwordFile(dataDir, principal.user())));
        }
        apply(bootstrap, adminClient(), passwords, principal -> client(principal).applyTo(new HashMap<>()));
    }

    /**
     * The same for any cluster (the compose deployment's one-shot {@code kafka-access} job: {@code stemflow
     * kafka-access apply}): as the super user of {@code adminClient} (client properties without bootstrap servers),
     * sets the SCRAM-SHA-512 credential of each principal of {@code passwords}, creates every ACL of
     * {@link KafkaAccess} (existing ones stay; none is removed), then waits until each of those principals can log in
     * with the client properties {@code loginClient} gives for it.
     *
     * @return how long it took
     */
    public static Duration apply(final String bootstrap, final Map<String, Object> adminClient,
                                 final Map<Principal, String> passwords,
                                 final java.util.function.Function<Principal, Map<String, Object>> loginClient) {
        final Instant started = Instant.now();
        final Map<String, Object> admin = new HashMap<>(adminClient);
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin client = Admin.create(admin)) {
            final List<UserScramCredentialAlteration> upserts = new ArrayList<>();
            passwords.forEach((principal, password) -> upserts.add(new UserScramCredentialUpsertion(principal.user(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password)));
            client.alterUserScramCredentials(upserts).all().get(APPLY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            client.createAcls(KafkaAccess.bindings()).all().get(APPLY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot set the Kafka credentials and ACLs: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not take the credentials and ACLs within " + APPLY_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while setting the Kafka credentials", e);
        }
        for (final Principal principal : passwords.keySet()) {
            awaitLogin(bootstrap, principal, loginClient.apply(principal), started.plus(APPLY_TIMEOUT));
        }
        final Duration took = Duration.between(started, Instant.now());
        LOG.info("Kafka credentials of {} principals and {} ACLs applied in {} ms", passwords.size(),
                KafkaAccess.bindings().size(), took.toMillis());
        return took;
    }

    /** The credential reaches the broker's cache through the metadata log: a moment after the controller took it. */
    private static void awaitLogin(final String bootstrap, final Principal principal, final Map<String, Object> client,
                                   final Instant deadline) {
        final Map<String, Object> props = new HashMap<>(client);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        while (true) {
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(principal.user() + " cannot log in to Kafka: "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(principal.user() + " cannot log in to Kafka within " + APPLY_TIMEOUT, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + principal.user() + " to log in", e);
            }
        }
    }

    private static Path passwordFile(final Path dataDir, final String user) {
        return dir(dataDir).resolve("users").resolve(user + ".password");
    }

    @Override
    public String toString() {
        return "SecureKafka[" + dir + ", passwords hidden]";
    }
}
