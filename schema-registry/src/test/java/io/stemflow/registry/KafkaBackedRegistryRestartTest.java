package io.stemflow.registry;

import static io.stemflow.registry.support.RegistryClient.schemaBody;
import static io.stemflow.registry.support.Schemas.intField;
import static io.stemflow.registry.support.Schemas.namedRecord;
import static io.stemflow.registry.support.Schemas.record;
import static io.stemflow.registry.support.Schemas.stringField;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.registry.support.RegistryClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka-backed store across a restart of both the registry and the broker, on the same data dir. */
@Tag("broker")
class KafkaBackedRegistryRestartTest {

    private static final String V1 = record(stringField("a"));
    private static final String V2 = record(stringField("a"), intField("b", 0));
    private static final String TEMP = namedRecord("Temp", stringField("t"));

    /** Reads whose answers must be the same before and after the restart. */
    private static final List<String> SNAPSHOT_PATHS = List.of(
            "/subjects", "/subjects?deleted=true",
            "/subjects/orders-value/versions", "/subjects/orders-value/versions/1", "/subjects/orders-value/versions/2",
            "/subjects/orders-value/versions?deleted=true", "/subjects/other-value/versions/latest",
            "/schemas/ids/1", "/schemas/ids/2", "/schemas/ids/2/versions",
            "/config", "/config/orders-value", "/config/other-value");

    @TempDir
    Path brokerDir;

    @Test
    void shouldKeepIdsVersionsAndConfigAndNeverReuseIdsWhenRegistryAndBrokerRestart() {
        try (EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaConfig.of(brokerDir))) {
            final RegistryConfig config = RegistryConfig.kafka(broker.bootstrapServers()).withHardDelete(true);
            final Map<String, String> before;
            final int tempId;

            // given a registry with versions, a shared id, configs, a soft delete and a permanent delete
            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(config)) {
                final RegistryClient client = new RegistryClient(registry.url());
                assertThat(client.registerOk("orders-value", V1)).isEqualTo(1);
                assertThat(client.registerOk("orders-value", V2)).isEqualTo(2);
                assertThat(client.registerOk("other-value", V2)).isEqualTo(2);
                client.registerOk("orders-value", record(stringField("a"), intField("b", 0), stringField("g", "")));
                assertThat(client.delete("/subjects/orders-value/versions/3").status()).isEqualTo(200);
                tempId = client.registerOk("temp-value", TEMP);
                assertThat(client.delete("/subjects/temp-value").status()).isEqualTo(200);
                assertThat(client.delete("/subjects/temp-value?permanent=true").status()).isEqualTo(200);
                assertThat(client.put("/config", "{\"compatibility\":\"FORWARD\"}").status()).isEqualTo(200);
                assertThat(client.put("/config/orders-value", "{\"compatibility\":\"FULL_TRANSITIVE\"}").status())
                        .isEqualTo(200);
                before = snapshot(client);
            }

            // when both restart on the same data
            broker.stop();
            broker.restart();
            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(config)) {
                final RegistryClient client = new RegistryClient(registry.url());

                // then the same answers come back
                assertThat(snapshot(client)).isEqualTo(before);
                assertThat(before.get("/config")).isEqualTo("200 {\"compatibilityLevel\":\"FORWARD\"}");
                assertThat(before.get("/config/orders-value")).contains("FULL_TRANSITIVE");
                assertThat(before.get("/subjects/orders-value/versions?deleted=true")).isEqualTo("200 [1,2,3]");
                assertThat(client.get("/subjects/temp-value/versions?deleted=true").errorCode()).isEqualTo(40401);

                // and registering is idempotent, while a new schema gets a fresh id above every earlier one
                assertThat(client.registerOk("orders-value", V2)).isEqualTo(2);
                assertThat(client.post("/subjects/orders-value", schemaBody(V2)).json().get("version").asInt())
                        .isEqualTo(2);
                final int fresh = client.registerOk("new-value", namedRecord("New", stringField("n")));
                assertThat(fresh).isEqualTo(tempId + 1);
                assertThat(client.get("/subjects/new-value/versions").body()).isEqualTo("[1]");
            }
        }
    }

    private static Map<String, String> snapshot(final RegistryClient client) {
        final Map<String, String> answers = new LinkedHashMap<>();
        for (final String path : SNAPSHOT_PATHS) {
            final RegistryClient.Response response = client.get(path);
            answers.put(path, response.status() + " " + response.body());
        }
        return answers;
    }
}
