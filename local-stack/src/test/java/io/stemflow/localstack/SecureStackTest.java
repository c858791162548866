package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.JobState;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.localstack.KafkaAccess.Principal;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.TopicSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure local stack ({@code dev --secure}), probed as issue 15 asks: the demo completes on SASL_SSL with ACLs,
 * a client without valid credentials can neither read nor write any topic, and a service's principal cannot write
 * where the ACL table does not let it (the bridge and {@code credit-grants}); record counts, read by the
 * administrator, are the same before and after every refused attempt.
 */
@Tag("broker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the demo first, then the probes: nothing writes while they count
class SecureStackTest {

    @TempDir
    static Path dataDir;

    private LocalStack stack;
    private SecureKafka secure;
    private Duration startTime;

    @BeforeAll
    void start() {
        final Instant before = Instant.now();
        stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, false, true).withSecure(true)
                .withManifestGrace(Duration.ofSeconds(1)));
        startTime = Duration.between(before, Instant.now());
        secure = SecureKafka.in(dataDir);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(9)
    void shouldCompleteTheDemoWhenTheStackIsSecure() throws Exception {
        // given
        final StringWriter text = new StringWriter();
        final Demo.Settings settings = new Demo.Settings(12, "secure-demo", Duration.ofMinutes(5), 10_000, 100);

        // when the demo runs as the operator
        final Demo.Summary summary = new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                settings, Clock.systemUTC(), null, secure.client(Principal.OPERATOR))
                .withRegistryAuth(stack.info().registry().auth()).run(new PrintWriter(text, true));

        // then every job ended and the ledger balances
        assertThat(summary.allTerminal()).as(text.toString()).isTrue();
        assertThat(summary.ledgerBalanced()).as(text.toString()).isTrue();
        assertThat(summary.jobsByState()).containsEntry(JobState.COMPLETED, 12L);
        assertThat(stack.info().services()).containsKey(SecureKafka.STACK_KEY);
        // and the archiver, as its own principal, archived every stem and wrote the batch's manifests (so nothing
        // writes any more while the probes after this count records)
        final Map<String, Object> operator = secure.client(Principal.OPERATOR).applyTo(new HashMap<>());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                LocalStackDemoTest.readAll(stack, TopicNames.MANIFESTS, BatchManifest.class, operator).stream()
                        .collect(Collectors.toMap(BatchManifest::getAccountId, m -> m, (x, y) ->
                                x.getVersion() >= y.getVersion() ? x : y))
                        .values().stream().mapToLong(BatchManifest::getArchived).sum() == summary.stems());
        System.out.printf("secure local stack (pipeline) started in %d ms%n", startTime.toMillis());
    }

    @Test
    void shouldRefuseEveryReadAndWriteWhenAClientHasNoValidCredentials() throws Exception {
        // given
        final Map<String, Long> before = recordCounts();
        final Map<String, Object> plaintext = Map.of();
        final Map<String, Object> tlsOnly = secureClient("SSL", null);
        final Map<String, Object> wrongPassword = secureClient("SASL_SSL", "stemflow-operator");
        final Map<String, Object> unknownUser = secureClient("SASL_SSL", "mallory");

        // when / then: no way in with any of them, to any topic
        for (final Map<String, Object> client : List.of(plaintext, tlsOnly, wrongPassword, unknownUser)) {
            for (final String topic : List.of(TopicNames.CREDIT_GRANTS, TopicNames.RESULTS, TopicNames.STATUS)) {
                final Throwable write = catchThrowable(() -> produce(client, topic));
                assertThat(write).as("write to %s with %s", topic, client.get("security.protocol"))
                        .isInstanceOfAny(TimeoutException.class, AuthenticationException.class);
                final Throwable read = catchThrowable(() -> consume(client, topic));
                assertThat(read).as("read of %s with %s", topic, client.get("security.protocol"))
                        .isInstanceOfAny(TimeoutException.class, AuthenticationException.class);
            }
        }
        assertThat(catchThrowable(() -> produce(wrongPassword, TopicNames.CREDIT_GRANTS)))
                .isInstanceOf(AuthenticationException.class).hasMessageNotContaining("wrong-password");
        assertThat(recordCounts()).isEqualTo(before);
    }

    @Test
    void shouldRefuseTheBridgeWhenItWritesCreditGrants() throws Exception {
        // given
        final Map<String, Long> before = recordCounts();
        final Map<String, Object> bridge = secure.client(Principal.BRIDGE).applyTo(new HashMap<>());

        // when / then
        assertThatThrownBy(() -> produce(bridge, TopicNames.CREDIT_GRANTS)).isInstanceOf(TopicAuthorizationException.class);
        assertThat(recordCounts()).isEqualTo(before);
    }

    @Test
    void shouldRefuseEveryPrincipalTheTableDoesNotNameWhenItWritesResultsLedgerOrGrants() throws Exception {
        // given
        final Map<String, Long> before = recordCounts();

        // when / then
        for (final String topic : List.of(TopicNames.RESULTS, TopicNames.CREDIT_LEDGER, TopicNames.CREDIT_GRANTS)) {
            for (final Principal principal : Principal.values()) {
                if (KafkaAccess.principalsThat(org.apache.kafka.common.acl.AclOperation.WRITE, topic).contains(principal)) {
                    continue;
                }
                final Map<String, Object> client = secure.client(principal).applyTo(new HashMap<>());
                assertThat(catchThrowable(() -> produce(client, topic))).as("%s writing %s", principal.user(), topic)
                        .isInstanceOf(TopicAuthorizationException.class);
            }
        }
        assertThat(recordCounts()).isEqualTo(before);
    }

    @Test
    void shouldKeepTheCredentialsOwnerOnlyWhenTheStackMadeThem() throws Exception {
        try (Stream<Path> files = Files.walk(SecureKafka.dir(dataDir))) {
            for (final Path file : files.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
                        .isIn("rw-------", "rwx------");
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dataDir.resolve("kafka").resolve("server.properties")))).isEqualTo("rw-------");
    }

    /** A client of the secure listener: TLS with the stack's trust store, and SASL as {@code user} with a wrong password. */
    private Map<String, Object> secureClient(final String protocol, final String user) {
        final Map<String, String> env = new HashMap<>(SecureKafka.clientEnv(dataDir, Principal.OPERATOR));
        env.put(KafkaClientSecurity.SECURITY_PROTOCOL, protocol);
        env.remove(KafkaClientSecurity.SASL_PASSWORD + "_FILE");
        if (user == null) {
            env.remove(KafkaClientSecurity.SASL_MECHANISM);
            env.remove(KafkaClientSecurity.SASL_USERNAME);
        } else {
            env.put(KafkaClientSecurity.SASL_USERNAME, user);
            env.put(KafkaClientSecurity.SASL_PASSWORD, "wrong-password");
        }
        return KafkaClientSecurity.fromEnv("probe", env).applyTo(new HashMap<>());
    }

    private void produce(final Map<String, Object> security, final String topic) throws Exception {
        final Map<String, Object> p = new HashMap<>(security);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 4_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        final byte[] value = CreditGrant.newBuilder().setGrantId("forged").setAccountId("label-north").setCredits(1_000_000)
                .setReason("forged").setGrantedAt(Instant.now()).build().toByteBuffer().array();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "label-north".getBytes(), value)).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private void consume(final Map<String, Object> security, final String topic) {
        final Map<String, Object> c = new HashMap<>(security);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(4)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            consumer.poll(Duration.ofSeconds(4));
            consumer.position(partitions.get(0), Duration.ofSeconds(4));
        }
    }

    /** End offsets of every topic, summed per topic, read as the administrator. */
    private Map<String, Long> recordCounts() throws Exception {
        final Map<String, Object> props = new HashMap<>(secure.adminClient());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            final List<String> topics = new ArrayList<>(TopicSpec.all(2).stream().map(TopicSpec::name).toList());
            topics.add(KafkaAccess.REGISTRY_TOPIC);
            final Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                    d.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
            return ends.entrySet().stream().collect(Collectors.groupingBy(e -> e.getKey().topic(), TreeMap::new,
                    Collectors.summingLong(e -> e.getValue().offset())));
        }
    }
}
