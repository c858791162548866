package io.stemflow.emulator.task;

import io.stemflow.emulator.Stem;
import java.net.URI;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Builds stem-file URLs: {@code <base>/files/<token>/<stem wire name>.wav}. The base is read on each call
 * because it is only known once the HTTP server has bound its port.
 */
public final class StemLinks {

    /** Path prefix the file routes are served under. */
    public static final String PREFIX = "/files/";
    /** File suffix: the emulator serves WAV (the provider's links end in .mp3; any audio works downstream). */
    public static final String SUFFIX = ".wav";

    private final Supplier<URI> base;

    public StemLinks(final Supplier<URI> base) {
        this.base = Objects.requireNonNull(base, "base");
    }

    public String url(final String fileToken, final Stem stem) {
        final String root = base.get().toString();
        final String trimmed = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        return trimmed + PREFIX + fileToken + "/" + stem.wireName() + SUFFIX;
    }

    /** An id for one stem file of one task, used as record-info's {@code originData[].id}. */
    public static String fileId(final String fileToken, final Stem stem) {
        return fileToken.substring(0, 8) + "-" + stem.wireName();
    }
}
