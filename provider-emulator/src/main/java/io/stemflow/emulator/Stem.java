package io.stemflow.emulator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The stems the provider can return. Each has a wire name ({@code backing_vocals}), a callback key
 * ({@code backing_vocals_url}), a record-info key ({@code backingVocalsUrl}), a display name used as
 * {@code stem_type_group_name}, and a tone frequency for the emulator's generated WAV, so every stem's file
 * sounds (and hashes) different.
 */
public enum Stem {
    VOCAL("vocal", "Vocals", 440),
    INSTRUMENTAL("instrumental", "Instrumental", 220),
    BACKING_VOCALS("backing_vocals", "Backing Vocals", 494),
    DRUMS("drums", "Drums", 110),
    BASS("bass", "Bass", 82),
    GUITAR("guitar", "Guitar", 330),
    KEYBOARD("keyboard", "Keyboard", 262),
    STRINGS("strings", "Strings", 392),
    BRASS("brass", "Brass", 349),
    WOODWINDS("woodwinds", "Woodwinds", 587),
    PERCUSSION("percussion", "Percussion", 147),
    SYNTH("synth", "Synth", 523),
    FX("fx", "FX", 880);

    private final String wireName;
    private final String displayName;
    private final int toneHz;

    Stem(final String wireName, final String displayName, final int toneHz) {
        this.wireName = wireName;
        this.displayName = displayName;
        this.toneHz = toneHz;
    }

    /** The snake_case name, also the file name of the stem's WAV ({@code /files/{token}/{wireName}.wav}). */
    public String wireName() {
        return wireName;
    }

    public String displayName() {
        return displayName;
    }

    public int toneHz() {
        return toneHz;
    }

    /** Key of this stem's URL in a callback's info object: {@code vocal_url}. */
    public String callbackKey() {
        return wireName + "_url";
    }

    /** Key of this stem's URL in record-info's {@code response}: {@code backingVocalsUrl}. */
    public String recordInfoKey() {
        final StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (final char c : wireName.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.append("Url").toString();
    }

    public static Optional<Stem> fromWireName(final String name) {
        final String wanted = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.wireName.equals(wanted)).findFirst();
    }
}
