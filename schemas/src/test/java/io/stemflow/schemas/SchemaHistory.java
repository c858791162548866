package io.stemflow.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The committed versions of each topic's value schema, under
 * {@code src/test/resources/schema-history/<topic>/v<N>.avsc}, and the compatibility rule
 * they are held to.
 */
final class SchemaHistory {

    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

    private final Path root;

    SchemaHistory(final Path root) {
        this.root = root;
    }

    static SchemaHistory inThisModule() {
        return new SchemaHistory(Path.of("src", "test", "resources", "schema-history"));
    }

    /** Versions of a topic's value schema, oldest first. */
    List<Version> versions(final String topic) {
        final Path dir = root.resolve(topic);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        final List<Version> versions = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : files.sorted().toList()) {
                final Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    versions.add(new Version(Integer.parseInt(m.group(1)), file,
                            new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the schema history of " + topic + " in " + dir, e);
        }
        versions.sort(Comparator.comparingInt(Version::number));
        return versions;
    }

    Path record(final String topic, final Schema schema) {
        final List<Version> existing = versions(topic);
        final int next = existing.isEmpty() ? 1 : existing.get(existing.size() - 1).number() + 1;
        final Path file = root.resolve(topic).resolve("v" + next + ".avsc");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, schema.toString(true) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
        return file;
    }

    /**
     * Problems that keep {@code newer} from replacing {@code older} under FULL compatibility:
     * new readers must read old data (backward) and old readers must read new data (forward),
     * since other teams consume these topics with the schema they were built with.
     */
    static List<String> fullCompatibilityProblems(final Schema newer, final Schema older) {
        final List<String> problems = new ArrayList<>();
        describe("backward (new reader, old data)",
                SchemaCompatibility.checkReaderWriterCompatibility(newer, older), problems);
        describe("forward (old reader, new data)",
                SchemaCompatibility.checkReaderWriterCompatibility(older, newer), problems);
        return problems;
    }

    private static void describe(final String direction,
                                 final SchemaCompatibility.SchemaPairCompatibility result,
                                 final List<String> problems) {
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            for (final var incompatibility : result.getResult().getIncompatibilities()) {
                problems.add(direction + ": " + incompatibility.getType() + " at " + incompatibility.getLocation()
                        + " (" + incompatibility.getMessage() + ")");
            }
        }
    }

    record Version(int number, Path file, Schema schema) {
    }
}
