package io.stemflow.schemas;

import io.stemflow.avro.SeparationType;

/**
 * What the provider charges per separation mode, by default (docs/provider-contract): 10 credits for
 * {@code separate_vocal}, 50 for {@code split_stem}. Deployments may configure other costs; these are
 * the defaults every module starts from.
 */
public final class ProviderCosts {

    public static final long SEPARATE_VOCAL = 10;
    public static final long SPLIT_STEM = 50;

    private ProviderCosts() {
    }

    /** The default cost of {@code type} (UNKNOWN costs what the cheaper mode costs). */
    public static long of(final SeparationType type) {
        return type == SeparationType.SPLIT_STEM ? SPLIT_STEM : SEPARATE_VOCAL;
    }
}
