package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySizeTest {

    @Test
    void shouldReadBytesAndBinaryUnitsWhenASizeIsWritten() {
        // when / then
        assertThat(MemorySize.parse("134217728")).isEqualTo(128L << 20);
        assertThat(MemorySize.parse("0")).isZero();
        assertThat(MemorySize.parse("4096B")).isEqualTo(4096);
        assertThat(MemorySize.parse("512KiB")).isEqualTo(512L << 10);
        assertThat(MemorySize.parse("128MiB")).isEqualTo(128L << 20);
        assertThat(MemorySize.parse(" 128 mib ")).isEqualTo(128L << 20);
        assertThat(MemorySize.parse("2GiB")).isEqualTo(2L << 30);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "128MB", "128m", "128M", "1.5GiB", "-1", "-1MiB", "MiB", "128 MiB extra",
            "1TiB", "0x10"})
    void shouldRefuseTextWhenItIsNotASizeOrItsUnitIsAGuess(final String text) {
        // when / then
        assertThatThrownBy(() -> MemorySize.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(MemorySize.EXPECTED);
    }

    @Test
    void shouldRefuseASizeWhenItExceedsWhatALongHolds() {
        // when / then
        assertThatThrownBy(() -> MemorySize.parse("9223372036854775808")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> MemorySize.parse("8589934592GiB")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
    }

    @Test
    void shouldWriteTheLargestExactUnitWhenASizeIsFormatted() {
        // when / then
        assertThat(MemorySize.format(0)).isEqualTo("0");
        assertThat(MemorySize.format(1000)).isEqualTo("1000");
        assertThat(MemorySize.format(1536)).isEqualTo("1536");
        assertThat(MemorySize.format(16L << 20)).isEqualTo("16MiB");
        assertThat(MemorySize.format(1L << 30)).isEqualTo("1GiB");
        assertThat(MemorySize.format(3L << 10)).isEqualTo("3KiB");
    }

    @Property
    void shouldReadBackWhatItWritesWhenAnySizeIsFormatted(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) final long bytes) {
        // when / then
        assertThat(MemorySize.parse(MemorySize.format(bytes))).isEqualTo(bytes);
    }

    @Property
    void shouldMultiplyByTheUnitWhenAWholeNumberOfMibIsWritten(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE >> 20) final long mib) {
        // when / then
        assertThat(MemorySize.parse(mib + "MiB")).isEqualTo(mib << 20);
        assertThat(MemorySize.parse(mib + " mib")).isEqualTo(mib << 20);
    }
}
