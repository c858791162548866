package io.stemflow.serde.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LruCacheTest {

    @Test
    void shouldEvictTheLeastRecentlyUsedEntryWhenFull() {
        // given
        final LruCache<Integer, String> cache = new LruCache<>(2);
        cache.put(1, "one");
        cache.put(2, "two");
        cache.get(1);

        // when
        cache.put(3, "three");

        // then
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(2)).isNull();
        assertThat(cache.get(1)).isEqualTo("one");
        assertThat(cache.get(3)).isEqualTo("three");
    }

    @Test
    void shouldNeverHoldMoreThanItsCapacityWhenFilledWithManyKeys() {
        // given
        final LruCache<Integer, Integer> cache = new LruCache<>(10);

        // when
        for (int i = 0; i < 1_000; i++) {
            cache.put(i, i);
        }

        // then
        assertThat(cache.size()).isEqualTo(10);
        assertThat(cache.get(999)).isEqualTo(999);
        assertThat(cache.get(989)).isNull();
    }

    @Test
    void shouldRejectACapacityBelowOneWhenBuilt() {
        assertThatThrownBy(() -> new LruCache<String, String>(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cache capacity must be >= 1, was 0");
    }
}
