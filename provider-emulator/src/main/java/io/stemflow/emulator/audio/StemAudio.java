package io.stemflow.emulator.audio;

import io.stemflow.emulator.Stem;
import java.util.EnumMap;
import java.util.Map;

/** One generated WAV per stem, made once (every task serves the same bytes for the same stem). */
public final class StemAudio {

    private final Map<Stem, byte[]> files = new EnumMap<>(Stem.class);

    public StemAudio() {
        for (final Stem stem : Stem.values()) {
            files.put(stem, WavTone.generate(stem.toneHz()));
        }
    }

    /** The WAV bytes of {@code stem}; callers must not modify the array. */
    public byte[] wav(final Stem stem) {
        return files.get(stem);
    }
}
