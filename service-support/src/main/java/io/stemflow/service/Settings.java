package io.stemflow.service;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a service reads its environment: each setting is read once, where the service's config record is
 * built, with its name, type, default and validation in that one call; every problem is collected instead of
 * thrown, so {@link #throwIfProblems()} reports all of them in one {@link SettingsException}, each named by its
 * variable and never showing a secret's value. A blank value counts as unset; values are stripped.
 *
 * <p>A setting whose value cannot be read yields its default (or a harmless placeholder) so reading goes on and
 * the cross-checks of the service can still run; the collected problems then stop the start.
 *
 * <p>Secrets follow one rule: {@code X} holds the value, or {@code X_FILE} names a file read by
 * {@link SecretFile} (first line that is not blank and not a {@code #} comment); setting both is an error.
 */
public final class Settings {

    private static final Logger LOG = LoggerFactory.getLogger(Settings.class);

    /** Suffix of the variable that names a file holding a secret instead of the secret itself. */
    public static final String FILE_SUFFIX = "_FILE";

    private final String service;
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param service what is configured, for the exception's message ("callback bridge", "gateway")
     * @param env     the environment (or a map standing for it in tests)
     */
    public Settings(final String service, final Map<String, String> env) {
        this.service = Objects.requireNonNull(service, "service");
        this.env = Objects.requireNonNull(env, "env");
    }

    /** The stripped value, empty when unset or blank. */
    public Optional<String> optional(final String name) {
        final String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** The value, or {@code fallback} when unset. */
    public String text(final String name, final String fallback) {
        return optional(name).orElse(fallback);
    }

    /** The value; a problem ({@code NAME is required}) when unset, then an empty string. */
    public String required(final String name) {
        return required(name, "");
    }

    /** As {@link #required(String)}, with a hint of the expected form in the message. */
    public String required(final String name, final String hint) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            problem(name + " is required" + (hint.isEmpty() ? "" : " (" + hint + ")"));
            return "";
        }
        return value.get();
    }

    /** A whole number within {@code [min, max]}, or {@code fallback} when unset. */
    public int integer(final String name, final int fallback, final int min, final int max) {
        return (int) whole(name, fallback, min, max);
    }

    /** A whole number within {@code [min, max]}, or {@code fallback} when unset. */
    public long whole(final String name, final long fallback, final long min, final long max) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        final long parsed;
        try {
            parsed = Long.parseLong(value.get());
        } catch (NumberFormatException e) {
            problem(name + " must be an integer, was '" + value.get() + "'");
            return fallback;
        }
        checkRange(name, parsed, min, max, String.valueOf(parsed));
        return parsed;
    }

    /** A number within {@code [min, max]}, or {@code fallback} when unset. */
    public double decimal(final String name, final double fallback, final double min, final double max) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            final double parsed = Double.parseDouble(value.get());
            if (!(parsed >= min && parsed <= max)) {
                problem(name + " must be within [" + min + ", " + max + "], was " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            problem(name + " must be a number, was '" + value.get() + "'");
            return fallback;
        }
    }

    /** {@code true/1/yes/on} or {@code false/0/no/off}, or {@code fallback} when unset. */
    public boolean bool(final String name, final boolean fallback) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> {
                problem(name + " must be true or false, was '" + value.get() + "'");
                yield fallback;
            }
        };
    }

    /** One of {@code type}'s constants (case-insensitive), or {@code fallback} when unset. */
    public <E extends Enum<E>> E choice(final String name, final Class<E> type, final E fallback) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, value.get().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            final List<String> names = new ArrayList<>();
            for (final E constant : type.getEnumConstants()) {
                names.add(constant.name());
            }
            problem(name + " must be one of " + String.join(", ", names) + ", was '" + value.get() + "'");
            return fallback;
        }
    }

    /** A {@link DurationText} within {@code [min, max]}, or {@code fallback} when unset. */
    public Duration duration(final String name, final Duration fallback, final Duration min, final Duration max) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        final Duration parsed;
        try {
            parsed = DurationText.parse(value.get());
        } catch (IllegalArgumentException e) {
            problem(name + " must be " + DurationText.EXPECTED + ", was '" + value.get() + "'");
            return fallback;
        }
        if (parsed.compareTo(min) < 0) {
            problem(name + " must be at least " + DurationText.format(min) + ", was " + value.get());
        } else if (parsed.compareTo(max) > 0) {
            problem(name + " must be at most " + DurationText.format(max) + ", was " + value.get());
        }
        return parsed;
    }

    /** A {@link DurationText} of at least {@code min}, or {@code fallback} when unset. */
    public Duration duration(final String name, final Duration fallback, final Duration min) {
        return duration(name, fallback, min, Duration.ofSeconds(Long.MAX_VALUE));
    }

    /**
     * A comma-separated list of {@link DurationText}s; an empty list when set to blank or unset and
     * {@code fallback} is empty, else {@code fallback} when unset.
     */
    public List<Duration> durations(final String name, final List<Duration> fallback) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        final List<Duration> parsed = new ArrayList<>();
        for (final String part : value.get().split(",")) {
            try {
                parsed.add(DurationText.parse(part));
            } catch (IllegalArgumentException e) {
                problem(name + " must be a comma-separated list of " + DurationText.EXPECTED + ", '" + part.strip()
                        + "' is not");
                return fallback;
            }
        }
        return parsed;
    }

    /**
     * A duration written as a whole number of {@code unit}s (the bridge's {@code _MS} / {@code _S} variables,
     * kept so a user's setting keeps its meaning), or {@code fallback} when unset. Range checks are the caller's.
     */
    public Duration wholeUnits(final String name, final Duration fallback, final java.time.temporal.ChronoUnit unit) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Duration.of(Integer.parseInt(value.get()), unit);
        } catch (NumberFormatException e) {
            problem(name + " must be an integer, was '" + value.get() + "'");
            return fallback;
        }
    }

    /**
     * An absolute http(s) URL without credentials or query; a problem when unset, then a placeholder.
     */
    public URI httpUrl(final String name) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            problem(name + " is required");
            return URI.create("http://invalid");
        }
        try {
            final URI uri = new URI(value.get());
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
                problem(name + " must be an absolute http(s) URL without credentials or query");
            }
            return uri;
        } catch (URISyntaxException e) {
            problem(name + " is not a URL");
            return URI.create("http://invalid");
        }
    }

    /** Any URL, parsed; empty when unset or malformed (then a problem). */
    public Optional<URI> uri(final String name) {
        return parsed(name, text -> {
            try {
                return new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URL", e);
            }
        });
    }

    /**
     * A value read by {@code parser}; empty when unset, or when the parser throws an
     * {@link IllegalArgumentException} (then a problem naming the variable and the parser's message).
     */
    public <T> Optional<T> parsed(final String name, final Function<String, T> parser) {
        final Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(value.get()));
        } catch (IllegalArgumentException e) {
            problem(name + " is invalid ('" + value.get() + "'): " + e.getMessage());
            return Optional.empty();
        }
    }

    /** An existing, readable regular file named by {@code name}'s value; empty (and a problem) otherwise. */
    public Optional<Path> readableFile(final String name) {
        return optional(name).flatMap(value -> readableFile(name, value));
    }

    private Optional<Path> readableFile(final String name, final String value) {
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

    /**
     * A secret from {@code name} or {@code name_FILE} (the {@link SecretFile} rule), as text: empty when neither
     * is set; a problem when both are, or the file cannot be read or holds no value.
     */
    public Optional<String> secretText(final String name) {
        final String fileName = name + FILE_SUFFIX;
        final Optional<String> direct = optional(name);
        final Optional<String> file = optional(fileName);
        if (direct.isPresent() && file.isPresent()) {
            problem("set only one of " + name + " and " + fileName);
            return Optional.empty();
        }
        if (file.isEmpty()) {
            return direct;
        }
        final Optional<Path> path = readableFile(fileName, file.get());
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            final List<String> values = SecretFile.values(fileName, path.get());
            if (values.isEmpty()) {
                problem(fileName + " points to an empty file: " + path.get()
                        + " (no line that is not blank or a # comment)");
                return Optional.empty();
            }
            return Optional.of(values.get(0));
        } catch (IllegalArgumentException e) {
            problem(e.getMessage());
            return Optional.empty();
        }
    }

    /** {@link #secretText(String)} as a {@link Secret} of any text ({@link Secret#utf8(String)}). */
    public Optional<Secret> secret(final String name) {
        return secretText(name).map(Secret::utf8);
    }

    /**
     * Several secrets (tokens of a role, keys still accepted): {@code name} comma-separated, plus every line of the
     * file named by {@code name_FILE} that is not blank or a {@code #} comment; empty when neither is set.
     */
    public List<String> secretTexts(final String name) {
        final String fileName = name + FILE_SUFFIX;
        final List<String> values = new ArrayList<>();
        optional(name).ifPresent(text -> {
            for (final String part : text.split(",")) {
                if (!part.isBlank()) {
                    values.add(part.strip());
                }
            }
        });
        readableFile(fileName).ifPresent(path -> {
            try {
                values.addAll(SecretFile.values(fileName, path));
            } catch (IllegalArgumentException e) {
                problem(e.getMessage());
            }
        });
        return values;
    }

    /**
     * {@link #secretText(String)} as a {@link Secret#of(String, String) token} (no whitespace); a file is re-read
     * when it changes ({@link SecretSource}). Empty when unset (no problem: the caller decides if it is required)
     * or invalid (a problem).
     */
    public Optional<SecretSource> secretSource(final String name) {
        final String fileName = name + FILE_SUFFIX;
        final Optional<String> file = optional(fileName);
        final Optional<String> text = secretText(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(file.isPresent()
                    ? SecretSource.file(name, Path.of(file.get()))
                    : SecretSource.fixed(name, Secret.of(name, text.get())));
        } catch (IllegalArgumentException e) {
            problem(e.getMessage());
            return Optional.empty();
        }
    }

    /** Records a problem; it should name the variable and must not contain a secret's value. */
    public void problem(final String problem) {
        problems.add(problem);
    }

    /** Records {@code problem} unless {@code ok}. */
    public void check(final boolean ok, final String problem) {
        if (!ok) {
            problem(problem);
        }
    }

    /** Records every problem of {@code more} (a config record's own checks). */
    public void problems(final Collection<String> more) {
        problems.addAll(more);
    }

    /** Runs {@code build}; an {@link IllegalArgumentException} it throws becomes a problem, then empty. */
    public <T> Optional<T> build(final java.util.function.Supplier<T> build) {
        try {
            return Optional.ofNullable(build.get());
        } catch (IllegalArgumentException e) {
            problem(e.getMessage());
            return Optional.empty();
        }
    }

    /** The problems so far. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** @throws SettingsException listing every problem collected so far, if any */
    public void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new SettingsException(service, problems);
        }
    }

    /** Logs a warning naming every variable under one of {@code prefixes} that is not in {@code known}. */
    public void warnUnknown(final Collection<String> prefixes, final Set<String> known) {
        final Set<String> unknown = new TreeSet<>();
        for (final String name : env.keySet()) {
            if (prefixes.stream().anyMatch(name::startsWith) && !known.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("Unknown {} variables (typo?): {}", service, unknown);
        }
    }

    private void checkRange(final String name, final long value, final long min, final long max, final String was) {
        if (value < min || value > max) {
            if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
                problem(name + " must be at least " + min + ", was " + was);
            } else {
                problem(name + " must be between " + min + " and " + max + ", was " + was);
            }
        }
    }
}
