package io.stemflow.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What benchmarks print about the machine they ran on, the size of a directory on disk, and removing one. */
public final class Machine {

    private Machine() {
    }

    /** MemTotal of {@code /proc/meminfo} in bytes, 0 when it cannot be read. */
    public static long memTotalBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The 1, 5 and 15 minute load averages, or "unknown". */
    public static String loadAverage() {
        try {
            final String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Bytes the directory takes on disk ({@code du -sk}), 0 when it does not exist. */
    public static long sizeOf(final Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try {
            final Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
            final String output = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (du.waitFor() != 0) {
                throw new IllegalStateException("du -sk " + dir + " failed: " + output);
            }
            return Long.parseLong(output.split("\\s+")[0]) * 1024;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot measure " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while measuring " + dir, e);
        }
    }

    /** Deletes {@code dir} and everything under it; nothing to do when it does not exist. */
    public static void deleteTree(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
