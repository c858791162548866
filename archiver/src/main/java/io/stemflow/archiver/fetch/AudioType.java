package io.stemflow.archiver.fetch;

import java.util.Locale;
import java.util.Optional;

/** The audio types the archiver accepts, by the media type a stem is served as. */
public enum AudioType {
    WAV("wav", "audio/wav"),
    MP3("mp3", "audio/mpeg");

    private final String extension;
    private final String mediaType;

    AudioType(final String extension, final String mediaType) {
        this.extension = extension;
        this.mediaType = mediaType;
    }

    /** The file extension of the archived object, without its dot. */
    public String extension() {
        return extension;
    }

    /** The media type the archived object is stored with. */
    public String mediaType() {
        return mediaType;
    }

    /**
     * The type a {@code Content-Type} header names, parameters ignored: {@code audio/wav}, {@code audio/x-wav},
     * {@code audio/wave}, {@code audio/vnd.wave}; {@code audio/mpeg}, {@code audio/mp3}, {@code audio/mpeg3}.
     */
    public static Optional<AudioType> ofMediaType(final String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        final int semicolon = contentType.indexOf(';');
        final String bare = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        return switch (bare) {
            case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave" -> Optional.of(WAV);
            case "audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3" -> Optional.of(MP3);
            default -> Optional.empty();
        };
    }
}
