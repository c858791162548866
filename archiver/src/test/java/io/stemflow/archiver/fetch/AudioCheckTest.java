package io.stemflow.archiver.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.emulator.Stem;
import io.stemflow.emulator.audio.StemAudio;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioCheckTest {

    /** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames. */
    private static final byte[] HEADER = {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x00};
    private static final int FRAME = 417;

    @TempDir
    Path dir;

    /** {@code frames} MPEG frames (headers and silent bodies), after an ID3v2 tag if {@code tagged}. */
    static byte[] mp3(final int frames, final boolean tagged) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (tagged) {
            out.writeBytes(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20});
            out.writeBytes(new byte[20]);
        }
        for (int i = 0; i < frames; i++) {
            final byte[] frame = new byte[FRAME];
            System.arraycopy(HEADER, 0, frame, 0, HEADER.length);
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    private Path file(final byte[] bytes) throws Exception {
        return Files.write(Files.createTempFile(dir, "audio", ".bin"), bytes);
    }

    @Test
    void shouldAcceptTheWavWhenItIsTheEmulatorsStem() throws Exception {
        // when / then
        assertThat(AudioCheck.problem(file(new StemAudio().wav(Stem.VOCAL)), AudioType.WAV)).isEmpty();
    }

    @Test
    void shouldRefuseTheWavWhenItIsCutShort() throws Exception {
        // given
        final byte[] wav = new StemAudio().wav(Stem.DRUMS);

        // when / then
        assertThat(AudioCheck.problem(file(Arrays.copyOf(wav, wav.length - 1000)), AudioType.WAV))
                .get().asString().contains("truncated WAV");
    }

    @Test
    void shouldRefuseTheWavWhenTheBodyIsAnErrorPage() throws Exception {
        // when / then
        assertThat(AudioCheck.problem(file("<html><body>Link expired</body></html>".getBytes(StandardCharsets.UTF_8)),
                AudioType.WAV)).get().asString().contains("no RIFF/WAVE header");
    }

    @Test
    void shouldAcceptTheMp3WhenItsFramesChainAfterATag() throws Exception {
        // when / then
        assertThat(AudioCheck.problem(file(mp3(20, true)), AudioType.MP3)).isEmpty();
        assertThat(AudioCheck.problem(file(mp3(20, false)), AudioType.MP3)).isEmpty();
        assertThat(AudioCheck.problem(file(mp3(3, false)), AudioType.MP3)).isEmpty();
    }

    @Test
    void shouldRefuseTheMp3WhenAFrameIsNotWhereTheLastOneEnds() throws Exception {
        // given: the third frame's header damaged
        final byte[] bytes = mp3(20, false);
        bytes[2 * FRAME] = 0x00;

        // when / then
        assertThat(AudioCheck.problem(file(bytes), AudioType.MP3)).get().asString()
                .contains("frame 3 at byte " + 2 * FRAME);
    }

    @Test
    void shouldRefuseTheMp3WhenItIsAWavOrCutShort() throws Exception {
        // when / then
        assertThat(AudioCheck.problem(file(new StemAudio().wav(Stem.BASS)), AudioType.MP3)).get().asString()
                .contains("no MPEG audio frame at byte 0");
        assertThat(AudioCheck.problem(file(Arrays.copyOf(mp3(3, false), 2 * FRAME + 100)), AudioType.MP3))
                .get().asString().contains("before the end of the file");
    }
}
