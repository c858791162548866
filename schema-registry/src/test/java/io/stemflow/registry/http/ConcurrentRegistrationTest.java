package io.stemflow.registry.http;

import static io.stemflow.registry.support.Schemas.namedRecord;
import static io.stemflow.registry.support.Schemas.stringField;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.support.RegistryClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Many clients registering at once over HTTP. */
class ConcurrentRegistrationTest {

    private static final int SCHEMAS = 30;
    private static final int CLIENTS = 8;

    @Test
    void shouldGiveOneIdPerSchemaAndContiguousVersionsWhenClientsRegisterConcurrently() throws Exception {
        // given
        final List<String> schemas = IntStream.range(0, SCHEMAS)
                .mapToObj(i -> namedRecord("R" + i, stringField("f" + i))).toList();
        final Map<String, Set<Integer>> idsBySchema = new ConcurrentHashMap<>();
        final CountDownLatch go = new CountDownLatch(1);
        final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                RegistryConfig.inMemory().withDefaultCompatibility(CompatibilityLevel.NONE))) {
            final List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                final int offset = c;
                clients.add(pool.submit(() -> {
                    final RegistryClient client = new RegistryClient(registry.url());
                    go.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < SCHEMAS; i++) {
                        final String schema = schemas.get((i + offset * 7) % SCHEMAS);
                        final String subject = (i + offset) % 2 == 0 ? "left-value" : "right-value";
                        idsBySchema.computeIfAbsent(schema, s -> ConcurrentHashMap.newKeySet())
                                .add(client.registerOk(subject, schema));
                    }
                    return null;
                }));
            }

            // when
            go.countDown();
            for (final Future<?> client : clients) {
                client.get(60, TimeUnit.SECONDS);
            }

            // then every schema has exactly one id, ids are distinct, and versions have no gap
            final RegistryClient client = new RegistryClient(registry.url());
            final Set<Integer> distinctIds = new HashSet<>();
            idsBySchema.values().forEach(ids -> {
                assertThat(ids).hasSize(1);
                distinctIds.addAll(ids);
            });
            assertThat(distinctIds).hasSize(idsBySchema.size());
            for (final String subject : List.of("left-value", "right-value")) {
                final var versions = client.get("/subjects/" + subject + "/versions").json();
                for (int v = 0; v < versions.size(); v++) {
                    assertThat(versions.get(v).asInt()).isEqualTo(v + 1);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
