package io.stemflow.emulator;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of what the emulator has done since start (or the last reset). Tests and benchmarks
 * read these instead of guessing.
 *
 * @param requestsByCode          provider API calls by the {@code code} of the answer (200, 400, 401, 404, 405,
 *                                413, 429, 430, 455, 500); admin and file requests are not counted here
 * @param tasksAccepted           generate calls accepted (and charged)
 * @param tasksSucceeded          tasks that reached completion successfully
 * @param tasksFailed             tasks that reached completion failed (callback code 400/451/500)
 * @param creditsCharged          credits charged over all keys
 * @param callbacksAttempted      callback POSTs started (first tries, retries and duplicates)
 * @param callbacksDelivered      callback POSTs answered 2xx
 * @param callbackAttemptsFailed  callback POSTs that failed (non-2xx, timeout, connection error)
 * @param callbacksGivenUp        tasks whose every delivery attempt (first try + retries) failed
 * @param callbacksLost           tasks whose callback was deliberately never sent (lost-callback fault)
 * @param callbacksDuplicated     extra deliveries sent after a successful one (duplicate fault)
 * @param callbacksLate           tasks whose first delivery was held back (late fault)
 * @param highestRequestsInWindow the most accepted requests seen inside any one rate window, over all keys
 * @param filesServed             stem files served
 * @param fileRequestsExpired     stem file requests answered 410 because the link expired
 * @param linksRefreshed          record-info answers that issued fresh links, because the task's original links
 *                                had expired early ({@link LinkExpiry})
 * @param recordInfoGone          record-info answers of 400 (as for an unknown task) for a gone task
 */
public record EmulatorCounters(
        Map<Integer, Long> requestsByCode,
        long tasksAccepted,
        long tasksSucceeded,
        long tasksFailed,
        long creditsCharged,
        long callbacksAttempted,
        long callbacksDelivered,
        long callbackAttemptsFailed,
        long callbacksGivenUp,
        long callbacksLost,
        long callbacksDuplicated,
        long callbacksLate,
        int highestRequestsInWindow,
        long filesServed,
        long fileRequestsExpired,
        long linksRefreshed,
        long recordInfoGone) {

    public EmulatorCounters {
        requestsByCode = Collections.unmodifiableMap(new TreeMap<>(requestsByCode));
    }

    /** Calls answered with {@code code} (0 when none). */
    public long requests(final int code) {
        return requestsByCode.getOrDefault(code, 0L);
    }

    /** All counted provider API calls. */
    public long totalRequests() {
        return requestsByCode.values().stream().mapToLong(Long::longValue).sum();
    }
}
