package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.service.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe: the emulator's seed was fixed at 42, so its task ids and file links were predictable. */
class EmulatorSeedTest {

    @TempDir
    Path parent;

    @Test
    void shouldDrawADifferentSeedPerDataDirectoryAndKeepItWhenTheStackRestarts() throws IOException {
        // given two data directories
        final Path first = parent.resolve("a");
        final Path second = parent.resolve("b");
        // when
        final long seedOfFirst = EmulatorSeed.of(first);
        final long againOfFirst = EmulatorSeed.of(first);
        final long seedOfSecond = EmulatorSeed.of(second);
        // then
        assertThat(seedOfFirst).isEqualTo(againOfFirst).isNotEqualTo(seedOfSecond).isNotEqualTo(42L);
        final Path file = first.resolve("secrets").resolve(EmulatorSeed.FILE);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(OwnerOnly.FILE);
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(OwnerOnly.DIRECTORY);
    }

    @Test
    void shouldSayWhatToDoWhenTheSeedFileIsDamaged() throws IOException {
        // given
        final Path dataDir = parent.resolve("c");
        Files.createDirectories(dataDir.resolve("secrets"));
        Files.writeString(dataDir.resolve("secrets").resolve(EmulatorSeed.FILE), "not a number");
        // when / then
        assertThatThrownBy(() -> EmulatorSeed.of(dataDir)).hasMessageContaining("delete it to draw a new seed");
    }

    @Test
    void shouldUseTheGivenSeedWhenOneIsConfigured() {
        // given
        final LocalStackConfig config = new LocalStackConfig(parent, StackPorts.anyFree(), 1, false, true);
        // when / then
        assertThat(config.emulatorSeed()).isNull();
        assertThat(config.withEmulatorSeed(7).emulatorSeed()).isEqualTo(7L);
    }
}
