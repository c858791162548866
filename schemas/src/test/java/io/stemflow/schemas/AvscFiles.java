package io.stemflow.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.AvroRuntimeException;

/**
 * The schemas of the {@code .avsc} files as another team's tool reads them: each file parsed by Avro's
 * own parser, with no code generator in between. A record names types defined in other files, so a file
 * is parsed once the files it refers to have been.
 */
final class AvscFiles {

    static final Path DIRECTORY = Path.of("src/main/avro");

    private AvscFiles() {
    }

    /** Every named schema of the directory, by full name. */
    static Map<String, Schema> parse(final Path directory) {
        final List<Path> remaining;
        try (Stream<Path> files = Files.list(directory)) {
            remaining = new ArrayList<>(files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final Map<String, Schema> known = new HashMap<>();
        while (!remaining.isEmpty()) {
            final List<Path> parsedThisRound = new ArrayList<>();
            for (final Path file : remaining) {
                final Schema.Parser parser = new Schema.Parser();
                parser.addTypes(known.values());
                try {
                    final Schema schema = parser.parse(Files.readString(file));
                    known.put(schema.getFullName(), schema);
                    parsedThisRound.add(file);
                } catch (AvroRuntimeException unresolvedYet) {
                    // refers to a type of a file not parsed yet: next round
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (parsedThisRound.isEmpty()) {
                throw new IllegalStateException("Cannot parse " + remaining + ": they refer to types no file defines");
            }
            remaining.removeAll(parsedThisRound);
        }
        return known;
    }
}
