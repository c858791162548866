package io.stemflow.emulator.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A short, valid RIFF/WAVE file: PCM 16-bit little-endian, mono, a sine tone with 10 ms fade-in and fade-out.
 * Small enough to serve thousands of times, real enough for any WAV parser.
 */
public final class WavTone {

    /** Samples per second of the generated files. */
    public static final int SAMPLE_RATE = 22_050;
    /** Length of the generated files in milliseconds. */
    public static final int LENGTH_MILLIS = 250;
    private static final int HEADER_BYTES = 44;
    private static final short PCM = 1;
    private static final short CHANNELS = 1;
    private static final short BITS = 16;

    private WavTone() {
    }

    /** Length of the generated files in seconds (what record-info reports as {@code duration}). */
    public static double lengthSeconds() {
        return LENGTH_MILLIS / 1000.0;
    }

    public static byte[] generate(final int frequencyHz) {
        final int samples = SAMPLE_RATE * LENGTH_MILLIS / 1000;
        final int dataBytes = samples * CHANNELS * BITS / 8;
        final ByteBuffer wav = ByteBuffer.allocate(HEADER_BYTES + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        wav.put(ascii("RIFF")).putInt(HEADER_BYTES - 8 + dataBytes).put(ascii("WAVE"));
        wav.put(ascii("fmt ")).putInt(16).putShort(PCM).putShort(CHANNELS).putInt(SAMPLE_RATE)
                .putInt(SAMPLE_RATE * CHANNELS * BITS / 8).putShort((short) (CHANNELS * BITS / 8)).putShort(BITS);
        wav.put(ascii("data")).putInt(dataBytes);
        final int fade = SAMPLE_RATE / 100;
        for (int i = 0; i < samples; i++) {
            final double envelope = Math.min(1.0, Math.min(i, samples - 1 - i) / (double) fade);
            final double value = Math.sin(2 * Math.PI * frequencyHz * i / SAMPLE_RATE) * envelope * 0.5;
            wav.putShort((short) Math.round(value * Short.MAX_VALUE));
        }
        return wav.array();
    }

    private static byte[] ascii(final String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
