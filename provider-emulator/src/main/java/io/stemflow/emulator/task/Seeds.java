package io.stemflow.emulator.task;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** Seed mixing: distinct inputs give unrelated streams (plain seed + n would give shifted copies of one stream). */
public final class Seeds {

    private Seeds() {
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser. */
    public static long mix(final long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** 32 lowercase hex digits, like the provider's task ids. */
    public static String hex32(final RandomGenerator random) {
        final HexFormat hex = HexFormat.of();
        return hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
    }
}
