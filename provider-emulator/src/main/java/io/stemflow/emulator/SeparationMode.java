package io.stemflow.emulator;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The two task types of the provider, with the stems each returns on success (in callback order). */
public enum SeparationMode {
    SEPARATE_VOCAL("separate_vocal", List.of(Stem.VOCAL, Stem.INSTRUMENTAL)),
    SPLIT_STEM("split_stem", List.of(Stem.VOCAL, Stem.BACKING_VOCALS, Stem.DRUMS, Stem.BASS, Stem.GUITAR,
            Stem.KEYBOARD, Stem.STRINGS, Stem.BRASS, Stem.WOODWINDS, Stem.PERCUSSION, Stem.SYNTH, Stem.FX));

    private final String wireName;
    private final List<Stem> stems;

    SeparationMode(final String wireName, final List<Stem> stems) {
        this.wireName = wireName;
        this.stems = stems;
    }

    /** The value of the request's {@code type} field. */
    public String wireName() {
        return wireName;
    }

    public List<Stem> stems() {
        return stems;
    }

    public static Optional<SeparationMode> fromWireName(final String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }
}
