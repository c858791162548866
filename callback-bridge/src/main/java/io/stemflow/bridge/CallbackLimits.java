package io.stemflow.bridge;

import static java.time.temporal.ChronoUnit.MILLIS;

import io.stemflow.service.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one client, or one captured callback, may cost the bridge.
 *
 * @param readTimeout           total time to receive one request, from its first byte to the end of its body
 *                              (headers included), whatever the pace: past it the answer is 408 and the
 *                              connection is closed. Not an idle timeout: trickling bytes does not extend it.
 * @param maxRequestsPerClient  callbacks in progress at once from one remote address; one more is answered 429
 * @param replayCacheMaxEntries signed callbacks remembered for the signature's allowed age; when that many are
 *                              remembered and none has expired, a new one is refused with 503 rather than
 *                              the cache growing without bound
 */
public record CallbackLimits(Duration readTimeout, int maxRequestsPerClient, int replayCacheMaxEntries) {

    public static final String ENV_READ_TIMEOUT_MS = "STEMFLOW_BRIDGE_READ_TIMEOUT_MS";
    public static final String ENV_MAX_REQUESTS_PER_CLIENT = "STEMFLOW_BRIDGE_MAX_REQUESTS_PER_CLIENT";
    public static final String ENV_REPLAY_CACHE_MAX_ENTRIES = "STEMFLOW_BRIDGE_REPLAY_CACHE_MAX_ENTRIES";

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_REQUESTS_PER_CLIENT = 32;
    public static final int DEFAULT_REPLAY_CACHE_MAX_ENTRIES = 100_000;

    static final Duration MIN_READ_TIMEOUT = Duration.ofMillis(100);
    /** The provider waits 15 s for the whole exchange. */
    static final Duration MAX_READ_TIMEOUT = Duration.ofSeconds(60);
    static final int MAX_PER_CLIENT = 10_000;
    static final int MIN_REPLAY_ENTRIES = 10;
    static final int MAX_REPLAY_ENTRIES = 10_000_000;

    public static final CallbackLimits DEFAULTS = new CallbackLimits(DEFAULT_READ_TIMEOUT,
            DEFAULT_MAX_REQUESTS_PER_CLIENT, DEFAULT_REPLAY_CACHE_MAX_ENTRIES);

    public CallbackLimits {
        final List<String> problems = problems(readTimeout, maxRequestsPerClient, replayCacheMaxEntries);
        if (!problems.isEmpty()) {
            throw new BridgeConfigException(problems);
        }
    }

    /** Reads the three settings; problems go to {@code reader}, and then the defaults stand in. */
    static CallbackLimits read(final Settings reader) {
        final Duration readTimeout = reader.wholeUnits(ENV_READ_TIMEOUT_MS, DEFAULT_READ_TIMEOUT, MILLIS);
        final int perClient = reader.integer(ENV_MAX_REQUESTS_PER_CLIENT, DEFAULT_MAX_REQUESTS_PER_CLIENT, 1,
                MAX_PER_CLIENT);
        final int replayEntries = reader.integer(ENV_REPLAY_CACHE_MAX_ENTRIES, DEFAULT_REPLAY_CACHE_MAX_ENTRIES,
                MIN_REPLAY_ENTRIES, MAX_REPLAY_ENTRIES);
        // the integers were range-checked by the reader; the timeout is checked here
        reader.problems(problems(readTimeout, DEFAULT_MAX_REQUESTS_PER_CLIENT, DEFAULT_REPLAY_CACHE_MAX_ENTRIES));
        return reader.problems().isEmpty() ? new CallbackLimits(readTimeout, perClient, replayEntries) : DEFAULTS;
    }

    private static List<String> problems(final Duration readTimeout, final int perClient, final int replayEntries) {
        final List<String> problems = new ArrayList<>();
        if (readTimeout == null || readTimeout.compareTo(MIN_READ_TIMEOUT) < 0
                || readTimeout.compareTo(MAX_READ_TIMEOUT) > 0) {
            problems.add(ENV_READ_TIMEOUT_MS + " must be between " + MIN_READ_TIMEOUT.toMillis() + " and "
                    + MAX_READ_TIMEOUT.toMillis() + ", was " + (readTimeout == null ? "unset" : readTimeout.toMillis()));
        }
        if (perClient < 1 || perClient > MAX_PER_CLIENT) {
            problems.add(ENV_MAX_REQUESTS_PER_CLIENT + " must be between 1 and " + MAX_PER_CLIENT + ", was " + perClient);
        }
        if (replayEntries < MIN_REPLAY_ENTRIES || replayEntries > MAX_REPLAY_ENTRIES) {
            problems.add(ENV_REPLAY_CACHE_MAX_ENTRIES + " must be between " + MIN_REPLAY_ENTRIES + " and "
                    + MAX_REPLAY_ENTRIES + ", was " + replayEntries);
        }
        return problems;
    }
}
