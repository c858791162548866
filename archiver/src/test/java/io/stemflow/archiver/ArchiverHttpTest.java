package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.http.AccessTokens;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiver's {@code /health} and {@code /metrics}, started from its environment: open health that says when the
 * archive is behind the provider's deletions, metrics for viewer tokens only.
 */
@WithKafkaStack
class ArchiverHttpTest {

    private static final String VIEWER = "archiver-viewer-token-0123456789";
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private StemFileServer files;

    @BeforeEach
    void serveFiles() throws Exception {
        files = StemFileServer.start();
    }

    @AfterEach
    void stopFiles() {
        files.close();
    }

    @Test
    void shouldReportBehindOnHealthAndCountsOnMetricsWhenStemsArriveWithExpiredLinks(final TestStack stack)
            throws Exception {
        // given: an archiver serving HTTP on a free port, and stem events whose links expired an hour ago (the
        // files are still served: the provider was late deleting them)
        final ArchiverConfig.Topics topics = TestTopics.create(stack);
        final Map<String, String> env = new HashMap<>();
        env.put(ArchiverConfig.KAFKA_BOOTSTRAP_SERVERS, stack.bootstrapServers());
        env.put(ArchiverConfig.SCHEMA_REGISTRY_URL, stack.registryUrl().toString());
        env.put(ArchiverConfig.APPLICATION_ID, "archiver-http-" + System.nanoTime());
        env.put(ArchiverConfig.ARCHIVE_DIR, dir.resolve("archive").toString());
        env.put(ArchiverConfig.STATE_DIR, dir.resolve("state").toString());
        env.put(ArchiverConfig.HTTP_PORT, "0");
        env.put(AccessTokens.ENV_VIEWER, VIEWER);
        final ArchiverConfig config = ArchiverConfig.fromEnv(env).withTopics(topics);
        final List<Stem> stems = List.of(Stem.VOCALS, Stem.INSTRUMENTAL);
        try (KafkaProducer<String, StemReady> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(StemReady.class, stack.serdeConfig(), false).serializer())) {
            for (final Stem stem : stems) {
                producer.send(new ProducerRecord<>(topics.stems(), "late-0", stemEvent("late-0", stem))).get();
            }
        }

        // when
        try (Archiver archiver = Archiver.start(config)) {
            assertThat(archiver.awaitRunning(DEADLINE)).isTrue();
            final URI base = archiver.httpUrl().orElseThrow();
            final HttpClient http = HttpClient.newHttpClient();
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> archiver.archived() >= 2);

            // then: health is open, DEGRADED, and says why
            final HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            final JsonNode report = new ObjectMapper().readTree(health.body());
            assertThat(report.path("status").asText()).isEqualTo("DEGRADED");
            assertThat(report.path("conditions").path("behind").asText()).contains("after their links expired");
            assertThat(report.path("archived").asLong()).isEqualTo(2);
            assertThat(archiver.behind()).isPresent();

            // and: metrics need a viewer token, and count what was done
            assertThat(http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                    .header("Authorization", "Bearer " + VIEWER).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("stemflow_archiver_stems_archived_total 2.0")
                    .contains("stemflow_archiver_behind 1.0")
                    .contains("stemflow_archiver_bytes_total " + (double) (files.wav("vocals").length
                            + files.wav("instrumental").length));
        }
    }

    private StemReady stemEvent(final String requestId, final Stem stem) {
        return StemReady.newBuilder()
                .setRequestId(requestId).setAccountId("label-a").setBatchId("catalogue")
                .setTaskId("task-" + requestId).setAudioId("audio-" + requestId)
                .setType(SeparationType.SEPARATE_VOCAL).setAttempt(1).setProviderTaskId("p-" + requestId)
                .setStem(stem).setUrl(files.link(requestId, stem))
                .setExpiresAt(Instant.now().minus(Duration.ofHours(1)))
                .setCompletedAt(Instant.now().minus(Duration.ofDays(14)))
                .build();
    }
}
