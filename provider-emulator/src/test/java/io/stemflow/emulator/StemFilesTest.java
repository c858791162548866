package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.ApiClient.Answer;
import io.stemflow.emulator.support.CallbackReceiver;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.testing.WithProviderEmulator;
import io.stemflow.emulator.time.ManualTime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every stem URL handed out resolves to a real, valid WAV served by the emulator, until it expires. */
@WithProviderEmulator
class StemFilesTest {

    private CallbackReceiver receiver;

    @BeforeEach
    void useReceiver(final CallbackReceiver receiver) {
        this.receiver = receiver;
    }

    @Test
    void shouldServeAValidWavWhenAnyStemUrlOfACallbackIsFetched() throws Exception {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().build())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            client.generate(API_KEY, ApiClient.generateBody("split_stem", receiver.url("files")));
            await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.receivedOn("files").isEmpty());
            final JsonNode info = receiver.receivedOn("files").get(0).body().at("/data/vocal_removal_info");
            final List<String> urls = new ArrayList<>();
            info.properties().forEach(e -> {
                if (!e.getKey().equals("origin_url")) {
                    urls.add(e.getValue().asText());
                }
            });

            // when
            final Set<String> distinctBodies = new HashSet<>();
            for (final String url : urls) {
                final Answer file = client.fetch(url);

                // then
                assertThat(file.status()).as(url).isEqualTo(200);
                assertValidWav(file.raw());
                distinctBodies.add(new String(file.raw(), StandardCharsets.ISO_8859_1));
            }
            assertThat(urls).hasSize(12).allMatch(u -> u.startsWith(emulator.baseUrl() + "/files/"));
            assertThat(distinctBodies).as("each stem has its own tone").hasSize(12);
            assertThat(emulator.control().counters().filesServed()).isEqualTo(12);
        }
    }

    private static void assertValidWav(final byte[] wav) throws UnsupportedAudioFileException, IOException {
        // the header, field by field
        final ByteBuffer header = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ascii(wav, 0)).isEqualTo("RIFF");
        assertThat(header.getInt(4)).isEqualTo(wav.length - 8);
        assertThat(ascii(wav, 8)).isEqualTo("WAVE");
        assertThat(ascii(wav, 12)).isEqualTo("fmt ");
        assertThat(header.getInt(16)).isEqualTo(16);
        assertThat(header.getShort(20)).as("PCM").isEqualTo((short) 1);
        final short channels = header.getShort(22);
        final int sampleRate = header.getInt(24);
        final short bits = header.getShort(34);
        assertThat(bits).isEqualTo((short) 16);
        assertThat(header.getInt(28)).as("byte rate").isEqualTo(sampleRate * channels * bits / 8);
        assertThat(header.getShort(32)).as("block align").isEqualTo((short) (channels * bits / 8));
        assertThat(ascii(wav, 36)).isEqualTo("data");
        assertThat(header.getInt(40)).isEqualTo(wav.length - 44);
        // and an independent parser (the JDK's) agrees: a quarter second of audio
        try (AudioInputStream audio = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            final AudioFormat format = audio.getFormat();
            assertThat(format.getEncoding()).isEqualTo(AudioFormat.Encoding.PCM_SIGNED);
            assertThat(format.getSampleSizeInBits()).isEqualTo(16);
            assertThat(audio.getFrameLength() / (double) format.getFrameRate()).isCloseTo(0.25,
                    offset(0.001));
            assertThat(audio.readAllBytes()).hasSize(wav.length - 44).containsAnyOf((byte) 0x7f, (byte) 0x80);
        }
    }

    private static String ascii(final byte[] bytes, final int offset) {
        return new String(bytes, offset, 4, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldAnswer410WhenTheLinkHasExpired() {
        // given files kept for one hour after completion
        final ManualTime time = new ManualTime(Instant.parse("2026-06-01T00:00:00Z"));
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().fileTtl(Duration.ofHours(1))
                .faults(FaultShares.NONE.withLostCallbacks(1.0))
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(20))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("x"))).taskId();
            time.advance(Duration.ofSeconds(20));
            final String vocalUrl = client.recordInfo(API_KEY, taskId).body().at("/data/response/vocalUrl").asText();

            // when
            final int fresh = client.fetch(vocalUrl).status();
            time.advance(Duration.ofHours(1).minusMillis(1));
            final int lastMoment = client.fetch(vocalUrl).status();
            time.advance(Duration.ofMillis(1));
            final int expired = client.fetch(vocalUrl).status();

            // then
            assertThat(fresh).isEqualTo(200);
            assertThat(lastMoment).isEqualTo(200);
            assertThat(expired).isEqualTo(410);
            assertThat(emulator.control().counters().fileRequestsExpired()).isEqualTo(1);
        }
    }

    @Test
    void shouldAnswer404WhenTheFileIsUnknownOrNotProduced() {
        final ManualTime time = new ManualTime(Instant.parse("2026-06-01T00:00:00Z"));
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .faults(FaultShares.NONE.withLostCallbacks(1.0))
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(20))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("x"))).taskId();
            time.advance(Duration.ofSeconds(20));
            final String vocalUrl = client.recordInfo(API_KEY, taskId).body().at("/data/response/vocalUrl").asText();

            // when
            final int drumsOfSeparateVocal = client.fetch(vocalUrl.replace("/vocal.wav", "/drums.wav")).status();
            final int unknownToken = client.fetch(emulator.baseUrl() + "/files/" + "0".repeat(32) + "/vocal.wav").status();
            final int notWav = client.fetch(vocalUrl.replace(".wav", ".mp3")).status();

            // then
            assertThat(drumsOfSeparateVocal).isEqualTo(404);
            assertThat(unknownToken).isEqualTo(404);
            assertThat(notWav).isEqualTo(404);
        }
    }

    @Test
    void shouldAnswer404WhenTheTaskHasNotCompletedYet() {
        // given the link path of the first task of a seeded run (learnt from a completed run with the same seed)
        final String path;
        final ManualTime firstTime = new ManualTime(Instant.parse("2026-06-01T00:00:00Z"));
        try (ProviderEmulator first = ProviderEmulator.start(config(), firstTime)) {
            path = completedVocalPath(first, firstTime);
        }
        final ManualTime time = new ManualTime(Instant.parse("2026-06-01T00:00:00Z"));
        try (ProviderEmulator replay = ProviderEmulator.start(config(), time)) {
            final ApiClient client = new ApiClient(replay.baseUrl());
            client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("early")));

            // when
            final int beforeCompletion = client.fetch(replay.baseUrl() + path).status();
            time.advance(Duration.ofSeconds(20));
            final int atCompletion = client.fetch(replay.baseUrl() + path).status();

            // then
            assertThat(beforeCompletion).isEqualTo(404);
            assertThat(atCompletion).isEqualTo(200);
        }
    }

    private static EmulatorConfig config() {
        return TestConfigs.quick().faults(FaultShares.NONE.withLostCallbacks(1.0))
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(20))).build();
    }

    private String completedVocalPath(final ProviderEmulator emulator, final ManualTime time) {
        final ApiClient client = new ApiClient(emulator.baseUrl());
        final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("early"))).taskId();
        time.advance(Duration.ofSeconds(20));
        final String url = client.recordInfo(API_KEY, taskId).body().at("/data/response/vocalUrl").asText();
        assertThat(url).startsWith(emulator.baseUrl().toString());
        return url.substring(emulator.baseUrl().toString().length());
    }
}
