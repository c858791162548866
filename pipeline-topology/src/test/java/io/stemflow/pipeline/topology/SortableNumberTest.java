package io.stemflow.pipeline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SortableNumberTest {

    @Test
    void shouldWriteWhatStringFormatWroteWhenGivenAnyLong() {
        // given edge values and random ones of every length (the keys in existing stores were written by the format)
        final List<Long> values = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 999_999_999_999_999_999L,
                1_000_000_000_000_000_000L, Long.MAX_VALUE, -1L, -42L, Long.MIN_VALUE, 1_765_000_000_000L));
        final SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 10_000; i++) {
            values.add(random.nextLong() >>> random.nextInt(64));
            values.add(-random.nextLong(Long.MAX_VALUE) >>> random.nextInt(64));
        }

        // then each is written as before
        for (final long v : values) {
            assertThat(SortableNumber.of(v)).as("%d", v).isEqualTo(String.format("%019d", v));
        }
    }

    @Test
    void shouldSortAsTheNumbersWhenTheyAreNotNegative() {
        assertThat(SortableNumber.of(99)).isLessThan(SortableNumber.of(100));
        assertThat(SortableNumber.of(1_765_000_000_000L)).isLessThan(SortableNumber.of(1_765_000_000_001L));
    }
}
