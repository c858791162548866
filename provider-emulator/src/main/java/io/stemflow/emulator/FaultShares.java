package io.stemflow.emulator;

/**
 * Shares (probabilities in [0, 1]) of the faults the emulator injects. Each is drawn independently from a
 * seeded stream, so the same seed and the same requests give the same faults.
 *
 * @param serverErrors       share of authenticated, rate-permitted API calls answered with code 500
 * @param taskFailures       share of accepted tasks that end failed (callback code from the failure codes)
 * @param partialStems       share of successful split_stem tasks that return only some stems
 * @param duplicateCallbacks share of delivered callbacks that are delivered a second time
 * @param lateCallbacks      share of callbacks whose first delivery is held back by the late delay
 * @param lostCallbacks      share of callbacks never sent (the result is visible only through record-info)
 */
public record FaultShares(double serverErrors, double taskFailures, double partialStems,
                          double duplicateCallbacks, double lateCallbacks, double lostCallbacks) {

    /** No faults at all. */
    public static final FaultShares NONE = new FaultShares(0, 0, 0, 0, 0, 0);

    public FaultShares {
        check("serverErrors", serverErrors);
        check("taskFailures", taskFailures);
        check("partialStems", partialStems);
        check("duplicateCallbacks", duplicateCallbacks);
        check("lateCallbacks", lateCallbacks);
        check("lostCallbacks", lostCallbacks);
    }

    private static void check(final String name, final double share) {
        if (!(share >= 0.0 && share <= 1.0)) {
            throw new IllegalArgumentException("fault share " + name + " must be within [0, 1], was " + share);
        }
    }

    public FaultShares withServerErrors(final double share) {
        return new FaultShares(share, taskFailures, partialStems, duplicateCallbacks, lateCallbacks, lostCallbacks);
    }

    public FaultShares withTaskFailures(final double share) {
        return new FaultShares(serverErrors, share, partialStems, duplicateCallbacks, lateCallbacks, lostCallbacks);
    }

    public FaultShares withPartialStems(final double share) {
        return new FaultShares(serverErrors, taskFailures, share, duplicateCallbacks, lateCallbacks, lostCallbacks);
    }

    public FaultShares withDuplicateCallbacks(final double share) {
        return new FaultShares(serverErrors, taskFailures, partialStems, share, lateCallbacks, lostCallbacks);
    }

    public FaultShares withLateCallbacks(final double share) {
        return new FaultShares(serverErrors, taskFailures, partialStems, duplicateCallbacks, share, lostCallbacks);
    }

    public FaultShares withLostCallbacks(final double share) {
        return new FaultShares(serverErrors, taskFailures, partialStems, duplicateCallbacks, lateCallbacks, share);
    }
}
