package io.stemflow.emulator;

import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.service.DurationText;
import io.stemflow.service.Secret;
import io.stemflow.service.SecretFile;
import io.stemflow.service.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses {@code STEMFLOW_EMULATOR_*} variables into an {@link EmulatorConfig} with the shared {@link Settings}
 * reader: every problem is collected and reported together. A variable that is absent keeps the builder's
 * default; a variable with the prefix but an unknown name is logged as a warning (most likely a typo, but other
 * parts of the stack may share the prefix, so it does not stop the start). Messages name the variable but never
 * print a secret's value. Secrets follow the one {@code X} / {@code X_FILE} rule ({@link SecretFile});
 * {@code API_KEYS_FILE} lists keys, one per line, and adds to {@code API_KEYS}.
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
            "CALLBACK_RETRY_SCHEDULE", "TIME_SCALE", "FILE_TTL", "EARLY_EXPIRY_SHARE", "EARLY_EXPIRY_AFTER",
            "GONE_SHARE", "SEED",
            // read by log4j2-emulator.xml when run alone, not by the config
            "LOG_LEVEL");

    private final Map<String, String> env;
    private final Settings r;

    private EmulatorEnv(final Map<String, String> env) {
        this.env = env;
        this.r = new Settings("provider emulator", env);
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
        set("HOST", t -> t, b::host);
        set("PORT", Integer::parseInt, b::port);
        set("PUBLIC_URL", EmulatorEnv::uri, b::publicBaseUrl);
        final List<Secret> keys = apiKeys();
        call("API_KEYS", () -> b.apiKeys(keys));
        final Optional<String> adminToken = r.secretText(name("ADMIN_TOKEN"));
        adminToken.ifPresent(t -> call("ADMIN_TOKEN", () -> b.adminToken(t)));
        b.access(access(adminToken.isPresent()));
        r.secretText(name("WEBHOOK_KEY")).ifPresent(k -> call("WEBHOOK_KEY", () -> b.webhookKey(k)));
        set("INITIAL_CREDITS", Long::parseLong, b::initialCredits);
        set("COST_SEPARATE_VOCAL", Integer::parseInt, b::costSeparateVocal);
        set("COST_SPLIT_STEM", Integer::parseInt, b::costSplitStem);
        set("MAX_BODY_BYTES", Integer::parseInt, b::maxBodyBytes);
        set("HTTP_STATUS_MIRRORS_CODE", EmulatorEnv::bool, b::httpStatusMirrorsCode);
        final RateLimit base = RateLimit.PROVIDER_DEFAULT;
        final int requests = value("RATE_LIMIT_REQUESTS", Integer::parseInt).orElse(base.requests());
        final Duration window = value("RATE_LIMIT_WINDOW", DurationText::parse).orElse(base.window());
        final int code = value("RATE_LIMIT_CODE", Integer::parseInt).orElse(base.refusalCode());
        call("RATE_LIMIT_*", () -> b.rateLimit(new RateLimit(requests, window, code)));
        set("MAINTENANCE", EmulatorEnv::bool, b::maintenance);
        final double serverError = share("SERVER_ERROR_SHARE");
        final double taskFailure = share("TASK_FAILURE_SHARE");
        final double partialStems = share("PARTIAL_STEMS_SHARE");
        final double duplicate = share("DUPLICATE_SHARE");
        final double late = share("LATE_SHARE");
        final double lost = share("LOST_SHARE");
        call("*_SHARE", () -> b.faults(new FaultShares(serverError, taskFailure, partialStems, duplicate, late, lost)));
        set("FAILURE_CODES", t -> Arrays.stream(t.split(",")).map(String::trim).map(Integer::valueOf).toList(),
                b::failureCodes);
        set("PROCESSING_TIME", t -> ProcessingTime.parse(name("PROCESSING_TIME"), t), b::processingTime);
        set("CALLBACK_INFO_KEY", t -> CallbackInfoKey.valueOf(t.toUpperCase(Locale.ROOT)), b::callbackInfoKey);
        set("RECORD_INFO_TIME_FORMAT", t -> RecordInfoTimeFormat.valueOf(t.toUpperCase(Locale.ROOT)),
                b::recordInfoTimeFormat);
        set("CALLBACK_TIMEOUT", DurationText::parse, b::callbackTimeout);
        final List<Duration> schedule = r.durations(name("CALLBACK_RETRY_SCHEDULE"), null);
        if (schedule != null) {
            call("CALLBACK_RETRY_SCHEDULE", () -> b.retrySchedule(schedule));
        }
        set("TIME_SCALE", Double::parseDouble, b::timeScale);
        set("DUPLICATE_DELAY", DurationText::parse, b::duplicateDelay);
        set("LATE_DELAY", DurationText::parse, b::lateDelay);
        set("FILE_TTL", DurationText::parse, b::fileTtl);
        set("EARLY_EXPIRY_SHARE", Double::parseDouble, b::earlyExpiryShare);
        set("EARLY_EXPIRY_AFTER", DurationText::parse, b::earlyExpiryAfter);
        set("GONE_SHARE", Double::parseDouble, b::goneShare);
        set("SEED", Long::parseLong, b::seed);
        r.throwIfProblems();
        final Optional<EmulatorConfig> config = call("settings", b::build);
        r.throwIfProblems();
        return config.orElseThrow();
    }

    /**
     * Who may call, from {@code STEMFLOW_HTTP_AUTH} and the token settings ({@link HttpAccess#read}). The admin
     * token is an operator credential of its own, so with it no bearer token is needed. With no credential at all
     * {@code /admin} answers loopback callers only, which is refused when the emulator listens beyond loopback.
     */
    private HttpAccess access(final boolean adminToken) {
        final String host = r.text(name("HOST"), EmulatorConfig.DEFAULT_HOST);
        final List<String> names = new ArrayList<>(List.of(host));
        r.optional(name("PUBLIC_URL")).map(EmulatorEnv::hostOf).ifPresent(names::add);
        final HttpAccess access = HttpAccess.read(r, names, true);
        final boolean bearer = List.of(AccessTokens.ENV_VIEWER, AccessTokens.ENV_OPERATOR).stream().anyMatch(
                n -> r.optional(n).isPresent() || r.optional(n + Settings.FILE_SUFFIX).isPresent());
        final boolean guarded = adminToken || (bearer && access.auth() == HttpAccess.Auth.TOKENS);
        if (!guarded && !EmulatorConfig.isLoopback(host)) {
            r.problem(name("ADMIN_TOKEN") + " (or " + AccessTokens.ENV_OPERATOR + " with " + HttpAccess.ENV_AUTH
                    + "=tokens) is required when the emulator listens beyond loopback (" + name("HOST") + "=" + host
                    + "): without it anyone who reaches the emulator could steer its admin API");
        }
        return bearer || adminToken ? access : access.withoutTokenCheck();
    }

    private static String hostOf(final String url) {
        try {
            final String host = new URI(url).getHost();
            return host == null ? "" : host;
        } catch (final URISyntaxException e) {
            return "";
        }
    }

    private List<Secret> apiKeys() {
        final List<String> raw = new ArrayList<>();
        r.optional(name("API_KEYS")).ifPresent(t -> Arrays.stream(t.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).forEach(raw::add));
        r.readableFile(name("API_KEYS_FILE")).ifPresent(p -> {
            try {
                raw.addAll(SecretFile.values(name("API_KEYS_FILE"), p));
            } catch (final IllegalArgumentException e) {
                r.problem(e.getMessage());
            }
        });
        final boolean fileGiven = r.optional(name("API_KEYS_FILE")).isPresent();
        if (raw.isEmpty()) {
            if (!fileGiven || r.problems().isEmpty()) {
                r.problem(name("API_KEYS") + " or " + name("API_KEYS_FILE") + " must name at least one API key");
            }
            return List.of();
        }
        final List<Secret> keys = new ArrayList<>();
        for (final String key : raw) {
            try {
                keys.add(Secret.of(key));
            } catch (final IllegalArgumentException e) {
                r.problem("an API key from " + name("API_KEYS") + "/" + name("API_KEYS_FILE") + " is invalid: "
                        + e.getMessage());
            }
        }
        return keys;
    }

    private double share(final String setting) {
        return value(setting, Double::parseDouble).orElse(0.0);
    }

    /** Parses {@code setting} when it is set and passes it to {@code setter}; either's failure is a problem. */
    private <T> void set(final String setting, final Function<String, T> parser, final Consumer<T> setter) {
        value(setting, parser).ifPresent(v -> call(setting, () -> {
            setter.accept(v);
            return v;
        }));
    }

    private <T> Optional<T> value(final String setting, final Function<String, T> parser) {
        return r.parsed(name(setting), parser);
    }

    /** Runs a builder step; what it refuses becomes a problem naming {@code what}. */
    private <T> Optional<T> call(final String what, final Supplier<T> step) {
        try {
            return Optional.ofNullable(step.get());
        } catch (final IllegalArgumentException | NullPointerException e) {
            r.problem(PREFIX + what + ": " + e.getMessage());
            return Optional.empty();
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
