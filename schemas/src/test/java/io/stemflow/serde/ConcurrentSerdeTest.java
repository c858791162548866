package io.stemflow.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.serde.fixtures.Track;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrentSerdeTest {

    private static final int THREADS = 4;
    private static final int RECORDS_PER_THREAD = 300;

    @Test
    void shouldRoundTripEveryRecordWhenOneSerdeIsSharedByManyThreads() throws Exception {
        // given: one serde, as Kafka Streams shares it across stream threads
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        final AvroSerde<Track> serde = AvroSerdes.specific(Track.class, registry, Map.of(), false);
        final CountDownLatch start = new CountDownLatch(1);
        final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        final List<Future<Integer>> results = new ArrayList<>();

        // when
        try {
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                final Callable<Integer> work =
                        () -> {
                            start.await(10, TimeUnit.SECONDS);
                            int matched = 0;
                            for (int i = 0; i < RECORDS_PER_THREAD; i++) {
                                final Track track = new Track(thread + "-" + i, "title " + i, i, "genre " + thread);
                                final byte[] bytes = serde.serializer().serialize("tracks-" + (i % 3), track);
                                if (serde.deserializer().deserialize("tracks-" + (i % 3), bytes).equals(track)) {
                                    matched++;
                                }
                            }
                            return matched;
                        };
                results.add(pool.submit(work));
            }
            start.countDown();

            // then
            for (final Future<Integer> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(RECORDS_PER_THREAD);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.subjects()).containsExactly("tracks-0-value", "tracks-1-value", "tracks-2-value");
        assertThat(registry.versionIds("tracks-0-value")).hasSize(1);
    }
}
