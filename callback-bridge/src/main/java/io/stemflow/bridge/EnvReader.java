package io.stemflow.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads environment variables and collects every problem (naming the variable, never a secret's
 * value) so that start-up reports all of them at once. A blank value counts as unset.
 */
final class EnvReader {

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    EnvReader(final Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    Optional<String> text(final String name) {
        final String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    int integer(final String name, final int defaultValue) {
        final Optional<String> value = text(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get());
        } catch (NumberFormatException e) {
            problem(name + " must be an integer, was '" + value.get() + "'");
            return defaultValue;
        }
    }

    /**
     * A secret given directly ({@code NAME}, the UTF-8 bytes of its value, surrounding whitespace
     * stripped) or as a file ({@code NAME_FILE}: its whole content, stripped). The same rule as the
     * submitter's, so that both derive the same callback key from the same file. Setting both is an error.
     */
    Optional<Secret> secret(final String name) {
        final String fileName = name + BridgeConfig.FILE_SUFFIX;
        final Optional<String> direct = text(name);
        final Optional<String> file = text(fileName);
        if (direct.isPresent() && file.isPresent()) {
            problem("set only one of " + name + " and " + fileName);
            return Optional.empty();
        }
        if (direct.isPresent()) {
            return Optional.of(Secret.utf8(direct.get()));
        }
        if (file.isEmpty()) {
            return Optional.empty();
        }
        final Optional<Path> path = readableFile(fileName, file.get());
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            final String content = Files.readString(path.get(), StandardCharsets.UTF_8).strip();
            if (content.isEmpty()) {
                problem(fileName + " points to an empty file: " + path.get());
                return Optional.empty();
            }
            return Optional.of(Secret.utf8(content));
        } catch (IOException e) {
            problem(fileName + " points to a file that cannot be read: " + path.get() + " ("
                    + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    Optional<Path> readableFile(final String name, final String value) {
        final Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            problem(name + " is not a valid path: '" + value + "'");
            return Optional.empty();
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problem(name + " points to a file that does not exist or cannot be read: " + path);
            return Optional.empty();
        }
        return Optional.of(path);
    }

    void problem(final String problem) {
        problems.add(problem);
    }

    /** The problems found so far (mutable: callers add theirs before {@link #throwIfProblems()}). */
    List<String> problems() {
        return problems;
    }

    void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new BridgeConfigException(problems);
        }
    }
}
