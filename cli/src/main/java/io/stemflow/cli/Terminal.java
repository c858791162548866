package io.stemflow.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the CLI knows of the console it draws on: whether it may redraw lines in place, and how many
 * columns it has. Only a person at a terminal gets redrawn lines; a pipe, a file or a CI log gets
 * plain lines (a log full of carriage returns and escape sequences is unreadable).
 */
final class Terminal {

    /** The width assumed when neither {@code COLUMNS} nor {@code stty size} says otherwise. */
    static final int DEFAULT_WIDTH = 80;

    private Terminal() {
    }

    /**
     * Whether to redraw in place: the console is a terminal ({@code System.console()} exists only when
     * standard input and output both are one) whose {@code TERM} is not {@code dumb}.
     */
    static boolean redraws(final boolean consoleIsTerminal, final Map<String, String> env) {
        return consoleIsTerminal && !"dumb".equals(env.get("TERM"));
    }

    /** This process's console: see {@link #redraws(boolean, Map)}. */
    static boolean redraws() {
        return redraws(System.console() != null, System.getenv());
    }

    /**
     * The console's width: a positive {@code COLUMNS} (shells set it, and a user may to override), else the
     * columns of {@code stty size}'s answer ("rows columns"), else {@value #DEFAULT_WIDTH}.
     */
    static int width(final Map<String, String> env, final Supplier<Optional<String>> sttySize) {
        return positive(env.get("COLUMNS"))
                .orElseGet(() -> sttySize.get()
                        .map(answer -> answer.strip().split("\\s+"))
                        .filter(parts -> parts.length == 2)
                        .flatMap(parts -> boxed(positive(parts[1])))
                        .orElse(DEFAULT_WIDTH));
    }

    /** This process's console width: see {@link #width(Map, Supplier)}. */
    static int width() {
        return width(System.getenv(), Terminal::sttySize);
    }

    /** {@code stty size </dev/tty}, when there is a controlling terminal and stty answers within a second. */
    static Optional<String> sttySize() {
        final File tty = new File("/dev/tty");
        if (!tty.canRead()) {
            return Optional.empty();
        }
        try {
            final Process stty = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!stty.waitFor(1, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return Optional.empty();
            }
            final String answer = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return stty.exitValue() == 0 ? Optional.of(answer) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static OptionalInt positive(final String text) {
        if (text == null || !text.strip().matches("\\d{1,5}")) {
            return OptionalInt.empty();
        }
        final int value = Integer.parseInt(text.strip());
        return value > 0 ? OptionalInt.of(value) : OptionalInt.empty();
    }

    private static Optional<Integer> boxed(final OptionalInt value) {
        return value.isPresent() ? Optional.of(value.getAsInt()) : Optional.empty();
    }
}
