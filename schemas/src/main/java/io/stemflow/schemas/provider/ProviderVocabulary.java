package io.stemflow.schemas.provider;

import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the provider names what our contract calls {@link Stem} and {@link SeparationType}: the
 * snake_case {@code <stem>_url} keys of callbacks, the camelCase keys of record-info, and the
 * {@code type} strings of generate. Shared by the callback bridge and the reconciler so both map
 * a result the same way.
 */
public final class ProviderVocabulary {

    /** The key of the original audio in callbacks; not a stem. */
    public static final String CALLBACK_ORIGIN_KEY = "origin_url";
    /** The key of the original audio in record-info; not a stem. */
    public static final String RECORD_INFO_ORIGIN_KEY = "originUrl";

    private static final Map<String, Stem> CALLBACK_KEYS;
    private static final Map<String, Stem> RECORD_INFO_KEYS;

    static {
        final Map<String, Stem> callback = new LinkedHashMap<>();
        callback.put("vocal_url", Stem.VOCALS);
        callback.put("instrumental_url", Stem.INSTRUMENTAL);
        callback.put("backing_vocals_url", Stem.BACKING_VOCALS);
        callback.put("drums_url", Stem.DRUMS);
        callback.put("bass_url", Stem.BASS);
        callback.put("guitar_url", Stem.GUITAR);
        callback.put("keyboard_url", Stem.KEYBOARD);
        callback.put("piano_url", Stem.PIANO);
        callback.put("strings_url", Stem.STRINGS);
        callback.put("brass_url", Stem.BRASS);
        callback.put("woodwinds_url", Stem.WOODWINDS);
        callback.put("percussion_url", Stem.PERCUSSION);
        callback.put("synth_url", Stem.SYNTH);
        callback.put("fx_url", Stem.FX);
        CALLBACK_KEYS = Collections.unmodifiableMap(callback);

        final Map<String, Stem> recordInfo = new LinkedHashMap<>();
        recordInfo.put("vocalUrl", Stem.VOCALS);
        recordInfo.put("instrumentalUrl", Stem.INSTRUMENTAL);
        recordInfo.put("backingVocalsUrl", Stem.BACKING_VOCALS);
        recordInfo.put("drumsUrl", Stem.DRUMS);
        recordInfo.put("bassUrl", Stem.BASS);
        recordInfo.put("guitarUrl", Stem.GUITAR);
        recordInfo.put("keyboardUrl", Stem.KEYBOARD);
        recordInfo.put("pianoUrl", Stem.PIANO);
        recordInfo.put("stringsUrl", Stem.STRINGS);
        recordInfo.put("brassUrl", Stem.BRASS);
        recordInfo.put("woodwindsUrl", Stem.WOODWINDS);
        recordInfo.put("percussionUrl", Stem.PERCUSSION);
        recordInfo.put("synthUrl", Stem.SYNTH);
        recordInfo.put("fxUrl", Stem.FX);
        RECORD_INFO_KEYS = Collections.unmodifiableMap(recordInfo);
    }

    private ProviderVocabulary() {
    }

    /** Callback {@code <stem>_url} keys and the stem each names. */
    public static Map<String, Stem> callbackStemKeys() {
        return CALLBACK_KEYS;
    }

    /** record-info camelCase URL keys and the stem each names. */
    public static Map<String, Stem> recordInfoStemKeys() {
        return RECORD_INFO_KEYS;
    }

    public static Optional<Stem> stemOfCallbackKey(final String key) {
        return Optional.ofNullable(CALLBACK_KEYS.get(key));
    }

    public static Optional<Stem> stemOfRecordInfoKey(final String key) {
        return Optional.ofNullable(RECORD_INFO_KEYS.get(key));
    }

    /** The provider's {@code type} string of a mode: {@code separate_vocal} or {@code split_stem}. */
    public static String providerType(final SeparationType type) {
        return switch (type) {
            case SEPARATE_VOCAL -> "separate_vocal";
            case SPLIT_STEM -> "split_stem";
            case UNKNOWN -> throw new IllegalArgumentException("UNKNOWN is not a provider separation type");
        };
    }

    public static Optional<SeparationType> typeOf(final String providerType) {
        return switch (providerType == null ? "" : providerType) {
            case "separate_vocal" -> Optional.of(SeparationType.SEPARATE_VOCAL);
            case "split_stem" -> Optional.of(SeparationType.SPLIT_STEM);
            default -> Optional.empty();
        };
    }
}
