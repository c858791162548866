package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.service.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe: stack.json (with the emulator's key) was 0644, and the data directory, its logs and the
 * broker's data were world-readable. Now the data directory is 0700 (so nothing below it is reachable by
 * another user, whatever mode the broker gives its files) and the files stemflow writes itself are 0600.
 */
@Tag("broker")
class LocalFilesTest {

    @TempDir
    Path parent;

    @Test
    void shouldKeepTheDataDirectoryOwnerOnlyWhenItExistedWorldReadableBefore() throws IOException {
        // given a data directory made by an older version, readable by everyone
        final Path dataDir = Files.createDirectories(parent.resolve(".stemflow"));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // when
        try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 1, false, false))) {
            // then
            assertThat(Files.getPosixFilePermissions(dataDir)).isEqualTo(OwnerOnly.DIRECTORY);
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("logs"))).isEqualTo(OwnerOnly.DIRECTORY);
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("stack.json"))).isEqualTo(OwnerOnly.FILE);
            try (Stream<Path> all = Files.walk(dataDir)) {
                assertThat(all.filter(p -> !p.equals(dataDir))).as("the broker wrote its data below the data directory")
                        .anyMatch(p -> p.startsWith(dataDir.resolve("kafka")));
            }
        }
    }

    @Test
    void shouldWriteAFileOwnerOnlyFromItsFirstByteWhenWrittenAtomically() throws IOException {
        // given
        final Path file = parent.resolve("stack.json");
        // when
        OwnerOnly.writeString(file, "{\"credentials\":{}}");
        OwnerOnly.writeString(file, "{\"credentials\":{\"k\":\"v\"}}");
        // then
        assertThat(Files.readString(file)).isEqualTo("{\"credentials\":{\"k\":\"v\"}}");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(OwnerOnly.FILE);
        assertThat(parent.resolve("stack.json.tmp")).doesNotExist();
    }
}
