package io.stemflow.emulator;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses {@code STEMFLOW_EMULATOR_*} variables into an {@link EmulatorConfig}. A variable that is absent keeps
 * the builder's default; a variable with the prefix but an unknown name is logged as a warning (most likely a
 * typo, but other parts of the stack may share the prefix, so it does not stop the start). Messages name the
 * variable but never print a secret's value.
 */
final class EmulatorEnv {

    private static final Logger LOG = LoggerFactory.getLogger(EmulatorEnv.class);

    static final String PREFIX = "STEMFLOW_EMULATOR_";

    static final Set<String> NAMES = Set.of(
            "HOST", "PORT", "PUBLIC_URL",
            "API_KEYS", "API_KEYS_FILE", "ADMIN_TOKEN", "ADMIN_TOKEN_FILE", "WEBHOOK_KEY", "WEBHOOK_KEY_FILE",
            "INITIAL_CREDITS", "COST_SEPARATE_VOCAL", "COST_SPLIT_STEM", "MAX_BODY_BYTES",
            "HTTP_STATUS_MIRRORS_CODE", "RATE_LIMIT_REQUESTS", "RATE_LIMIT_WINDOW", "RATE_LIMIT_CODE",
            "MAINTENANCE", "SERVER_ERROR_SHARE", "TASK_FAILURE_SHARE", "FAILURE_CODES", "PARTIAL_STEMS_SHARE",
            "DUPLICATE_SHARE", "DUPLICATE_DELAY", "LATE_SHARE", "LATE_DELAY", "LOST_SHARE",
            "PROCESSING_TIME", "CALLBACK_INFO_KEY", "RECORD_INFO_TIME_FORMAT", "CALLBACK_TIMEOUT",
            "CALLBACK_RETRY_SCHEDULE", "TIME_SCALE", "FILE_TTL", "SEED",
            // read by log4j2-emulator.xml when run alone, not by the config
            "LOG_LEVEL");

    private final Map<String, String> env;

    private EmulatorEnv(final Map<String, String> env) {
        this.env = env;
    }

    static EmulatorConfig parse(final Map<String, String> env) {
        return new EmulatorEnv(env).toConfig();
    }

    /** Variables with the emulator's prefix that it does not know, sorted. */
    static Set<String> unknownNames(final Map<String, String> env) {
        final Set<String> unknown = new TreeSet<>();
        env.keySet().stream().filter(k -> k.startsWith(PREFIX))
                .filter(k -> !NAMES.contains(k.substring(PREFIX.length()))).forEach(unknown::add);
        return unknown;
    }

    private EmulatorConfig toConfig() {
        final Set<String> unknown = unknownNames(env);
        if (!unknown.isEmpty()) {
            LOG.warn("ignoring unknown emulator setting(s) {}; known: {}", unknown,
                    new TreeSet<>(NAMES).stream().map(n -> PREFIX + n).toList());
        }
        final EmulatorConfig.Builder b = EmulatorConfig.builder();
        text("HOST").ifPresent(b::host);
        value("PORT", Integer::parseInt).ifPresent(b::port);
        value("PUBLIC_URL", EmulatorEnv::uri).ifPresent(b::publicBaseUrl);
        b.apiKeys(apiKeys());
        secret("ADMIN_TOKEN").ifPresent(t -> build("ADMIN_TOKEN", () -> b.adminToken(t)));
        secret("WEBHOOK_KEY").ifPresent(k -> build("WEBHOOK_KEY", () -> b.webhookKey(k)));
        value("INITIAL_CREDITS", Long::parseLong).ifPresent(b::initialCredits);
        value("COST_SEPARATE_VOCAL", Integer::parseInt).ifPresent(b::costSeparateVocal);
        value("COST_SPLIT_STEM", Integer::parseInt).ifPresent(b::costSplitStem);
        value("MAX_BODY_BYTES", Integer::parseInt).ifPresent(b::maxBodyBytes);
        value("HTTP_STATUS_MIRRORS_CODE", EmulatorEnv::bool).ifPresent(b::httpStatusMirrorsCode);
        final RateLimit base = RateLimit.PROVIDER_DEFAULT;
        final int requests = value("RATE_LIMIT_REQUESTS", Integer::parseInt).orElse(base.requests());
        final var window = text("RATE_LIMIT_WINDOW").map(t -> DurationText.parse(name("RATE_LIMIT_WINDOW"), t))
                .orElse(base.window());
        final int code = value("RATE_LIMIT_CODE", Integer::parseInt).orElse(base.refusalCode());
        b.rateLimit(build("RATE_LIMIT_*", () -> new RateLimit(requests, window, code)));
        value("MAINTENANCE", EmulatorEnv::bool).ifPresent(b::maintenance);
        b.faults(build("*_SHARE", () -> new FaultShares(
                share("SERVER_ERROR_SHARE"), share("TASK_FAILURE_SHARE"), share("PARTIAL_STEMS_SHARE"),
                share("DUPLICATE_SHARE"), share("LATE_SHARE"), share("LOST_SHARE"))));
        value("FAILURE_CODES", t -> Arrays.stream(t.split(",")).map(String::trim).map(Integer::valueOf).toList())
                .ifPresent(b::failureCodes);
        text("PROCESSING_TIME").map(t -> ProcessingTime.parse(name("PROCESSING_TIME"), t)).ifPresent(b::processingTime);
        value("CALLBACK_INFO_KEY", t -> CallbackInfoKey.valueOf(t.trim().toUpperCase(Locale.ROOT)))
                .ifPresent(b::callbackInfoKey);
        value("RECORD_INFO_TIME_FORMAT", t -> RecordInfoTimeFormat.valueOf(t.trim().toUpperCase(Locale.ROOT)))
                .ifPresent(b::recordInfoTimeFormat);
        duration("CALLBACK_TIMEOUT").ifPresent(b::callbackTimeout);
        text("CALLBACK_RETRY_SCHEDULE").map(t -> t.isBlank() ? List.<Duration>of()
                : Arrays.stream(t.split(",")).map(d -> DurationText.parse(name("CALLBACK_RETRY_SCHEDULE"), d)).toList())
                .ifPresent(b::retrySchedule);
        value("TIME_SCALE", Double::parseDouble).ifPresent(b::timeScale);
        duration("DUPLICATE_DELAY").ifPresent(b::duplicateDelay);
        duration("LATE_DELAY").ifPresent(b::lateDelay);
        duration("FILE_TTL").ifPresent(b::fileTtl);
        value("SEED", Long::parseLong).ifPresent(b::seed);
        return build("settings", b::build);
    }

    private List<Secret> apiKeys() {
        final List<String> raw = new ArrayList<>();
        text("API_KEYS").ifPresent(t -> Arrays.stream(t.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).forEach(raw::add));
        text("API_KEYS_FILE").ifPresent(p -> readLines("API_KEYS_FILE", p).forEach(raw::add));
        if (raw.isEmpty()) {
            throw new IllegalArgumentException(name("API_KEYS") + " or " + name("API_KEYS_FILE")
                    + " must name at least one API key");
        }
        final List<Secret> keys = new ArrayList<>();
        for (final String key : raw) {
            try {
                keys.add(Secret.of(key));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("an API key from " + name("API_KEYS") + "/" + name("API_KEYS_FILE")
                        + " is invalid: " + e.getMessage(), e);
            }
        }
        return keys;
    }

    /** A secret given directly ({@code NAME}) or as a file ({@code NAME_FILE}, first non-comment line). */
    private Optional<String> secret(final String setting) {
        final var direct = text(setting);
        final var file = text(setting + "_FILE");
        if (direct.isPresent() && file.isPresent()) {
            throw new IllegalArgumentException("set only one of " + name(setting) + " and " + name(setting + "_FILE"));
        }
        if (file.isPresent()) {
            final List<String> lines = readLines(setting + "_FILE", file.get());
            if (lines.isEmpty()) {
                throw new IllegalArgumentException(name(setting + "_FILE") + " points to a file without a value: "
                        + file.get());
            }
            return Optional.of(lines.get(0));
        }
        return direct;
    }

    private List<String> readLines(final String setting, final String path) {
        try {
            return Files.readAllLines(Path.of(path)).stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (final IOException e) {
            throw new IllegalArgumentException(name(setting) + " cannot be read from " + path + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private double share(final String setting) {
        return value(setting, Double::parseDouble).orElse(0.0);
    }

    private Optional<Duration> duration(final String setting) {
        return text(setting).map(t -> DurationText.parse(name(setting), t));
    }

    private Optional<String> text(final String setting) {
        return Optional.ofNullable(env.get(name(setting))).map(String::trim).filter(s -> !s.isEmpty());
    }

    private <T> Optional<T> value(final String setting, final Function<String, T> parser) {
        final var raw = text(setting);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(raw.get()));
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException(name(setting) + " is invalid ('" + raw.get() + "'): " + e.getMessage(), e);
        }
    }

    private static <T> T build(final String what, final Supplier<T> builder) {
        try {
            return builder.get();
        } catch (final IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(PREFIX + what + ": " + e.getMessage(), e);
        }
    }

    private static boolean bool(final String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    private static URI uri(final String text) {
        try {
            return new URI(text);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("not a URL", e);
        }
    }

    private static String name(final String setting) {
        return PREFIX + setting;
    }
}
