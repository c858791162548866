package io.stemflow.archiver.fetch;

/** MPEG-1/2/2.5 Layer III frame headers (ISO 11172-3, 13818-3). */
final class Mp3Frame {

    /** kbit/s by bitrate index: MPEG-1 Layer III, then MPEG-2/2.5 Layer III. */
    private static final int[][] BITRATES = {
            {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1},
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1},
    };
    /** Hz by sample rate index: MPEG-1, MPEG-2, MPEG-2.5. */
    private static final int[][] SAMPLE_RATES = {
            {44_100, 48_000, 32_000},
            {22_050, 24_000, 16_000},
            {11_025, 12_000, 8_000},
    };

    private Mp3Frame() {
    }

    /** The length in bytes of the Layer III frame whose header starts at {@code at}, or 0 if none starts there. */
    static int length(final byte[] bytes, final int at) {
        final int b1 = bytes[at] & 0xff;
        final int b2 = bytes[at + 1] & 0xff;
        final int b3 = bytes[at + 2] & 0xff;
        if (b1 != 0xff || (b2 & 0xe0) != 0xe0) {
            return 0; // no frame sync
        }
        final int version = (b2 >> 3) & 0x3; // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
        final int layer = (b2 >> 1) & 0x3; // 1: Layer III
        if (version == 1 || layer != 1) {
            return 0;
        }
        final int bitrateIndex = b3 >> 4;
        final int rateIndex = (b3 >> 2) & 0x3;
        if (bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
            return 0; // free format is not accepted: its frames cannot be chained without decoding
        }
        final boolean mpeg1 = version == 3;
        final int bitrate = BITRATES[mpeg1 ? 0 : 1][bitrateIndex] * 1000;
        final int sampleRate = SAMPLE_RATES[mpeg1 ? 0 : version == 2 ? 1 : 2][rateIndex];
        final int padding = (b3 >> 1) & 0x1;
        return (mpeg1 ? 144 : 72) * bitrate / sampleRate + padding;
    }
}
