package io.stemflow.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.kafka.KafkaTopics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("broker")
class EmbeddedKafkaTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldKeepRecordsWhenBrokerIsRestartedOnTheSameDataDir() throws Exception {
        // given
        try (EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaConfig.of(dataDir))) {
            final String bootstrap = broker.bootstrapServers();
            createTopic(bootstrap, "restart-check");
            produce(bootstrap, "restart-check", List.of("a", "b", "c"));

            // when
            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            broker.restart();

            // then
            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(consumeAll(bootstrap, "restart-check", 3)).containsExactly("a", "b", "c");
            produce(bootstrap, "restart-check", List.of("d"));
            assertThat(consumeAll(bootstrap, "restart-check", 4)).containsExactly("a", "b", "c", "d");
        }
        assertThat(dataDir.resolve("data")).isDirectory(); // a persistent broker keeps its data on close
    }

    @Test
    void shouldDeleteItsDataWhenTemporaryBrokerIsClosed() {
        // given
        final EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary());
        final Path dir = broker.dataDir();
        assertThat(dir.resolve("data")).isDirectory();

        // when
        broker.close();

        // then
        assertThat(broker.isRunning()).isFalse();
        assertThat(dir).doesNotExist();
    }

    @Test
    void shouldStopTheBrokerWhenItsParentProcessIsKilled() throws Exception {
        // given a parent JVM that starts a broker and reports the broker's pid
        final Path parentData = dataDir.resolve("orphan");
        final Process parent = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                OrphanParentMain.class.getName(), parentData.toString())
                .redirectErrorStream(true)
                .start();
        final long brokerPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            brokerPid = readBrokerPid(out);
            assertThat(ProcessHandle.of(brokerPid)).get().matches(ProcessHandle::isAlive);

            // when the parent dies without running any shutdown hook
            parent.destroyForcibly();
            assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        // then the broker notices and exits by itself
        await().atMost(Duration.ofSeconds(40)).until(
                () -> ProcessHandle.of(brokerPid).map(h -> !h.isAlive()).orElse(true));
        assertThat(Files.readString(parentData.resolve("broker.log"))).contains("parent process");
    }

    @Test
    void shouldReportTheBrokerLogWhenTheBrokerCannotStart() throws Exception {
        // given a port already taken by another broker
        try (EmbeddedKafka first = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary())) {
            final int taken = Integer.parseInt(first.bootstrapServers().split(":")[1]);
            final EmbeddedKafkaConfig clash = EmbeddedKafkaConfig.of(dataDir.resolve("clash")).withPorts(taken, 0);

            // when / then
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedKafka.start(clash))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("broker.log");
        }
    }

    private static long readBrokerPid(final BufferedReader out) throws Exception {
        final List<String> seen = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("BROKER_PID=")) {
                return Long.parseLong(line.substring("BROKER_PID=".length()));
            }
            seen.add(line);
        }
        throw new AssertionError("parent exited without reporting the broker pid: " + seen);
    }

    static void createTopic(final String bootstrap, final String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            KafkaTopics.createAndAwait(admin, List.of(new NewTopic(topic, 1, (short) 1)), Duration.ofSeconds(30));
        }
    }

    private static void produce(final String bootstrap, final String topic, final List<String> values) throws Exception {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (final String value : values) {
                producer.send(new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> consumeAll(final String bootstrap, final String topic, final int expected) {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            final TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= expected;
            });
            return values;
        }
    }
}
