package io.stemflow.localstack;

import io.stemflow.testing.RepositoryFiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README's settings table against the code: every {@code STEMFLOW_*} variable that a service, the
 * command line, an image script or {@code docker-compose.yml} reads is in the table, and every
 * variable in the table is read somewhere. {@code X_FILE} counts as documented with {@code X}
 * (the table's convention), and the emulator's names are composed from its prefix and
 * {@code EmulatorEnv.NAMES}. CI and test tooling ({@code .ci/}, {@code docker/offline/}, test
 * sources) are not product settings and are not scanned.
 */
class EverySettingDocumentedTest {

    private static final Pattern NAME = Pattern.compile("STEMFLOW_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_])");
    private static final Pattern TABLE_ROW = Pattern.compile("(?m)^\\| (`[^|]+) \\|([^|]+)\\|([^|]+)\\|([^|]+)\\|\\s*$");
    private static final Pattern EMULATOR_NAMES = Pattern.compile("NAMES = Set\\.of\\((.*?)\\);", Pattern.DOTALL);
    private static final Pattern QUOTED = Pattern.compile("\"([A-Z][A-Z0-9_]*)\"");

    private final Path root = RepositoryFiles.root();

    @Test
    void shouldListEveryVariableTheCodeReadsWhenReadmeDocumentsTheSettings() {
        final Set<String> documented = documented();
        final Set<String> missing = new TreeSet<>();
        for (final String name : read()) {
            final boolean viaFileConvention = name.endsWith("_FILE")
                    && documented.contains(name.substring(0, name.length() - "_FILE".length()));
            if (!documented.contains(name) && !viaFileConvention) {
                missing.add(name);
            }
        }
        assertThat(missing).as("variables read by the code but absent from README's settings table").isEmpty();
    }

    @Test
    void shouldReadEveryVariableTheTableListsWhenReadmeDocumentsTheSettings() {
        final Set<String> read = read();
        final Set<String> stale = new TreeSet<>();
        for (final String name : documented()) {
            final boolean fileOfARead = name.endsWith("_FILE")
                    && read.contains(name.substring(0, name.length() - "_FILE".length()));
            if (!read.contains(name) && !read.contains(name + "_FILE") && !fileOfARead) {
                stale.add(name);
            }
        }
        assertThat(stale).as("variables in README's settings table that nothing reads").isEmpty();
    }

    @Test
    void shouldGiveEveryRowADefaultAndAMeaningWhenReadmeDocumentsTheSettings() {
        final Matcher row = TABLE_ROW.matcher(settingsSection());
        int rows = 0;
        while (row.find()) {
            rows++;
            for (int cell = 2; cell <= 4; cell++) {
                assertThat(row.group(cell).strip()).as("cell %d of the row of %s", cell, row.group(1)).isNotEmpty();
            }
        }
        assertThat(rows).as("rows of the settings table").isGreaterThan(100);
    }

    /** Every STEMFLOW_* name in the first cell of a row of README's settings table ("`X` / `_FILE`" gives both). */
    private Set<String> documented() {
        final Set<String> names = new TreeSet<>();
        final Matcher row = TABLE_ROW.matcher(settingsSection());
        while (row.find()) {
            final Matcher name = NAME.matcher(row.group(1));
            while (name.find()) {
                names.add(name.group());
                if (row.group(1).contains("`_FILE`")) {
                    names.add(name.group() + "_FILE");
                }
            }
        }
        return names;
    }

    private String settingsSection() {
        final String readme = text(root.resolve("README.md"));
        final int start = readme.indexOf("\n## Settings\n");
        assertThat(start).as("README has a section Settings").isPositive();
        final int end = readme.indexOf("\n## ", start + 1);
        return end < 0 ? readme.substring(start) : readme.substring(start, end);
    }

    /** Every STEMFLOW_* name the product reads: main sources and resources, run scripts, image scripts, compose files, the launcher. */
    private Set<String> read() {
        final Set<String> names = new TreeSet<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (final Path module : modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))).toList()) {
                scan(module.resolve("src/main"), names);
                try (Stream<Path> files = Files.list(module)) { // run.sh and the logging config it names
                    files.filter(Files::isRegularFile).filter(EverySettingDocumentedTest::notDocumentation)
                            .forEach(f -> scan(f, names));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> docker = Files.list(root.resolve("docker"))) {
            docker.filter(Files::isRegularFile).filter(EverySettingDocumentedTest::notDocumentation)
                    .forEach(f -> scan(f, names));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        scan(root.resolve("docker-compose.yml"), names);
        scan(root.resolve("bin"), names);
        final Matcher emulator = EMULATOR_NAMES.matcher(
                text(root.resolve("provider-emulator/src/main/java/io/stemflow/emulator/EmulatorEnv.java")));
        assertThat(emulator.find()).as("EmulatorEnv.NAMES").isTrue();
        final Matcher quoted = QUOTED.matcher(emulator.group(1));
        while (quoted.find()) {
            names.add("STEMFLOW_EMULATOR_" + quoted.group(1));
        }
        return names;
    }

    /** READMEs and the .env template mention settings, they do not read them; hidden files are tools' (.jqwik-database). */
    private static boolean notDocumentation(final Path file) {
        final String name = file.getFileName().toString();
        return !name.startsWith(".") && !name.endsWith(".md") && !name.equals("env.example");
    }

    private static void scan(final Path path, final Set<String> names) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                final Matcher name = NAME.matcher(text(f));
                while (name.find()) {
                    names.add(name.group());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(final Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
