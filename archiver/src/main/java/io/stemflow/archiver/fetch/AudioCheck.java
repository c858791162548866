package io.stemflow.archiver.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Whether a downloaded file is the audio it claims to be: a file that is an HTML error page, a truncated transfer or
 * another format served under an audio type must not be archived as a stem.
 *
 * <ul>
 *   <li>WAV: a RIFF/WAVE file whose {@code data} chunk is as long as it says, that the JDK's audio system opens and
 *       reads to the end with a whole number of frames.</li>
 *   <li>MP3 (the JDK has no decoder): after an optional ID3v2 tag, MPEG audio frames whose headers are valid and
 *       follow each other exactly, each where the previous one's length puts it, for at least
 *       {@value #MP3_FRAMES} frames or to the end of a shorter file.</li>
 * </ul>
 */
public final class AudioCheck {

    /** Consecutive MPEG frames an MP3 must chain before it is taken as one. */
    static final int MP3_FRAMES = 8;

    private AudioCheck() {
    }

    /** Empty if {@code file} is audio of {@code type}, else why not. */
    public static Optional<String> problem(final Path file, final AudioType type) throws IOException {
        return switch (type) {
            case WAV -> wav(file);
            case MP3 -> mp3(file);
        };
    }

    private static Optional<String> wav(final Path file) throws IOException {
        final long size = Files.size(file);
        final ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.read(head, 0);
            head.flip();
            if (head.remaining() < 12 || head.getInt(0) != 0x46464952 /* RIFF */ || head.getInt(8) != 0x45564157 /* WAVE */) {
                return Optional.of("not a WAV file: no RIFF/WAVE header");
            }
            final long riffSize = Integer.toUnsignedLong(head.getInt(4));
            if (riffSize + 8 > size) {
                return Optional.of("truncated WAV: its header says " + (riffSize + 8) + " bytes, the file has " + size);
            }
        }
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            final AudioFormat format = in.getFormat();
            final long frames = in.getFrameLength();
            final int frameSize = format.getFrameSize();
            if (frames <= 0 || frameSize <= 0) {
                return Optional.of("WAV without audio frames");
            }
            final byte[] buffer = new byte[64 * 1024];
            long read = 0;
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                read += n;
            }
            if (read != frames * frameSize) {
                return Optional.of("WAV data ends after " + read + " bytes, its header says " + frames * frameSize);
            }
            return Optional.empty();
        } catch (UnsupportedAudioFileException e) {
            return Optional.of("WAV the audio system cannot read: " + e.getMessage());
        }
    }

    private static Optional<String> mp3(final Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            final byte[] bytes = in.readNBytes(256 * 1024);
            int at = 0;
            if (bytes.length >= 10 && bytes[0] == 'I' && bytes[1] == 'D' && bytes[2] == '3') {
                // ID3v2: 10-byte header, size as four 7-bit bytes, plus a 10-byte footer if flagged
                final int tagSize = (bytes[6] & 0x7f) << 21 | (bytes[7] & 0x7f) << 14 | (bytes[8] & 0x7f) << 7
                        | bytes[9] & 0x7f;
                at = 10 + tagSize + ((bytes[5] & 0x10) != 0 ? 10 : 0);
            }
            final long size = Files.size(file);
            int frames = 0;
            while (frames < MP3_FRAMES) {
                if (at + 4 > bytes.length) {
                    if (at == size && frames > 0) {
                        return Optional.empty(); // a short file whose frames end exactly at its end
                    }
                    return Optional.of(frames == 0 ? "no MPEG audio frame at byte " + at
                            : "MPEG frames end after " + frames + " frames, before the end of the file");
                }
                final int length = Mp3Frame.length(bytes, at);
                if (length <= 0) {
                    return Optional.of(frames == 0 ? "no MPEG audio frame at byte " + at
                            : "frame " + (frames + 1) + " at byte " + at + " is not an MPEG audio frame");
                }
                at += length;
                frames++;
            }
            return Optional.empty();
        }
    }
}
