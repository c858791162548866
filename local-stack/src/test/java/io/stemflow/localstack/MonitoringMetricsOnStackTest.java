package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.archiver.Archiver;
import io.stemflow.archiver.ArchiverConfig;
import io.stemflow.archiver.fetch.FetchSettings;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.service.Settings;
import io.stemflow.testing.RepositoryFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: every metric that monitoring/ uses (the alert rules, the Grafana dashboard) is served by the service it
 * is expected from. {@code monitoring/exported-metrics.txt} lists them (monitoring/check.sh holds the rules and the
 * dashboard to that list without a broker); here a whole local stack runs a demo and every service's
 * {@code /metrics} is scraped with the viewer token, as Prometheus does, and each listed name must be there.
 *
 * <p>The local stack serves no {@code /metrics} for its archiver (its HTTP port is set only in compose), so the test
 * starts one more archiver of its own (another application id, its own folder) on the stack with {@code /metrics} on
 * a free port. Names listed as {@code first-event} are counters Micrometer registers at their first increment; the
 * test provokes the gateway's dead letter (a tombstone on {@code separation-admitted}); one it cannot provoke
 * cheaply (a reconciliation) must at least be named by a Micrometer builder in its service's source.
 */
@Tag("broker")
class MonitoringMetricsOnStackTest {

    private static final Path MONITORING = RepositoryFiles.root().resolve("monitoring");
    private static final Pattern METRIC = Pattern.compile("\\b(?:stemflow|kafka)_[a-z_]+\\b");
    private static final Map<String, String> SOURCES = Map.of("pipeline", "pipeline-topology", "gateway", "gateway",
            "bridge", "callback-bridge", "archiver", "archiver");

    @TempDir
    Path dataDir;

    @TempDir
    Path archiverDir;

    /** One line of exported-metrics.txt. */
    record Exported(String name, String service, boolean atStart) {
    }

    @Test
    void shouldServeEveryMetricTheAlertsAndDashboardUseWhenTheStackHasRunADemo() throws Exception {
        // given: what monitoring/ uses, each name listed as exported
        final List<Exported> exported = exported();
        final Set<String> listed = exported.stream().map(Exported::name).collect(Collectors.toSet());
        assertThat(usedByMonitoring()).as("metrics used by alerts.yml and the dashboard, not in exported-metrics.txt")
                .isNotEmpty().allSatisfy(name -> assertThat(listed).contains(name));

        try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true));
             Archiver archiver = Archiver.start(archiverConfig(stack))) {
            final String token = Files.readString(Path.of(stack.info().credentials()
                    .get(StackInfo.VIEWER_TOKEN_FILE))).strip();
            final Map<String, URI> metrics = Map.of(
                    "pipeline", URI.create(stack.info().services().get("query-api")),
                    "gateway", URI.create(stack.info().services().get("gateway")),
                    "bridge", URI.create(stack.info().services().get("bridge")),
                    "archiver", archiver.httpUrl().orElseThrow());

            // when: a demo runs through the stack, and the gateway sets a record aside (a tombstone it cannot use)
            final StringWriter text = new StringWriter();
            final Demo.Summary summary = new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                    new Demo.Settings(24, "monitoring-test", Duration.ofMinutes(5), 10_000, 100), Clock.systemUTC(),
                    null).withRegistryAuth(stack.info().registry().auth()).run(new PrintWriter(text, true));
            assertThat(summary.allTerminal()).as(text.toString()).isTrue();
            produceTombstone(stack, TopicNames.ADMITTED, "monitoring-test-tombstone");

            // then: every name listed for a service is on its /metrics (Kafka's client metrics are bound as the
            // clients register them, the dead letter is counted once committed: waited for, with a deadline)
            final HttpClient http = HttpClient.newHttpClient();
            final Map<String, Set<String>> missing = new TreeMap<>();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                missing.clear();
                final Map<String, Set<String>> served = new TreeMap<>();
                for (final Map.Entry<String, URI> service : metrics.entrySet()) {
                    served.put(service.getKey(), scrape(http, service.getValue(), token));
                }
                for (final Exported e : exported) {
                    if (!served.get(e.service()).contains(e.name())) {
                        missing.computeIfAbsent(e.service(), s -> new TreeSet<>()).add(e.name());
                    }
                }
                assertThat(missing.values().stream().flatMap(Set::stream)
                        .filter(name -> exported.stream().anyMatch(e -> e.name().equals(name) && e.atStart())))
                        .as("metrics registered at start but not served (by service: %s)", missing).isEmpty();
                assertThat(missing.getOrDefault("gateway", Set.of()))
                        .as("the gateway's dead letters, once it set the tombstone aside")
                        .doesNotContain("stemflow_gateway_dead_letters_total");
            });
            // a first-event counter nothing provoked: at least a Micrometer builder of its service names it
            System.out.printf("monitoring: %d metric names listed; not served yet (first-event, checked "
                    + "in the source only): %s%n", exported.size(), missing);
            for (final Map.Entry<String, Set<String>> service : missing.entrySet()) {
                for (final String name : service.getValue()) {
                    assertThat(sourceOf(service.getKey())).as("%s (%s): a Micrometer builder in %s's source", name,
                            service.getKey(), SOURCES.get(service.getKey())).contains("\"" + micrometerName(name) + "\"");
                }
            }
        }
    }

    private ArchiverConfig archiverConfig(final LocalStack stack) {
        final Settings settings = new Settings("archiver", Map.of(AccessTokens.ENV_VIEWER + Settings.FILE_SUFFIX,
                stack.info().credentials().get(StackInfo.VIEWER_TOKEN_FILE)));
        final HttpAccess access = HttpAccess.read(settings, List.of("127.0.0.1"));
        settings.throwIfProblems();
        return new ArchiverConfig(stack.info().bootstrapServers(),
                new RegistryConnection(stack.info().schemaRegistryUrl(), stack.info().registry().auth()),
                "stemflow-archiver-monitoring-test", "monitoring", archiverDir.resolve("archive"), null,
                archiverDir.resolve("state"), 2, FetchSettings.defaults(), 1, 3, ArchiverConfig.Topics.stemflow(),
                Map.of()).withHttp(new ArchiverConfig.HttpSettings("127.0.0.1", 0, access));
    }

    /** The metric names of one Prometheus text exposition (samples only, not the HELP and TYPE lines). */
    private static Set<String> scrape(final HttpClient http, final URI base, final String token) throws Exception {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s/metrics", base).isEqualTo(200);
        return response.body().lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void produceTombstone(final LocalStack stack, final String topic, final String key)
            throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, null)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<Exported> exported() throws IOException {
        final List<Exported> list = new ArrayList<>();
        for (final String line : Files.readAllLines(MONITORING.resolve("exported-metrics.txt"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            final String[] cells = line.trim().split("\\s+");
            assertThat(cells).as("exported-metrics.txt: name service start|first-event: %s", line).hasSize(3);
            assertThat(cells[2]).as(line).isIn("start", "first-event");
            assertThat(SOURCES).as(line).containsKey(cells[1]);
            list.add(new Exported(cells[0], cells[1], cells[2].equals("start")));
        }
        return list;
    }

    /** Names in alerts.yml (rules and their texts) and in the dashboard's queries. */
    private static Set<String> usedByMonitoring() throws IOException {
        final Set<String> names = new TreeSet<>();
        addNames(Files.readString(MONITORING.resolve("prometheus/alerts.yml")), names);
        final JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana/stemflow-dashboard.json")
                .toFile());
        for (final JsonNode panel : dashboard.get("panels")) {
            for (final JsonNode target : panel.path("targets")) {
                addNames(target.get("expr").asText(), names);
            }
        }
        return names;
    }

    private static void addNames(final String text, final Set<String> names) {
        final Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
    }

    /** {@code stemflow_gateway_reconciled_total} was registered as {@code stemflow.gateway.reconciled}. */
    private static String micrometerName(final String prometheusName) {
        return prometheusName.replaceAll("_(total|bucket|count|sum)$", "").replace('_', '.');
    }

    private static String sourceOf(final String service) {
        try (Stream<Path> files = Files.walk(RepositoryFiles.root().resolve(SOURCES.get(service)).resolve("src/main"))) {
            return files.filter(f -> f.toString().endsWith(".java")).map(f -> {
                try {
                    return Files.readString(f, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
