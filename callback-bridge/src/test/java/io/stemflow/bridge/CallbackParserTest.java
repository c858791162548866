package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.avro.Stem;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallbackParserTest {

    private static final String FILES = "https://files.provider.example/s/";

    private final CallbackParser parser = new CallbackParser();

    @Test
    void shouldReadStemsAndTreatEmptyOriginAsNoneWhenSeparateVocalSucceeds() throws Exception {
        // given
        final String body = Fixtures.example("callback-separate-vocal-success.json");

        // when
        final ProviderCallback callback = parse(body);

        // then
        assertThat(callback).isEqualTo(new ProviderCallback(200, "vocal separation completed",
                "3e63b4cc88d52611159371f6af5571e7",
                stems(Stem.VOCALS, "7a2f_Vocals.mp3", Stem.INSTRUMENTAL, "0d1c_Instrumental.mp3"), null));
    }

    @Test
    void shouldReadTheAlternativeInfoKeyWhenAMirrorSendsVocalSeparationInfo() throws Exception {
        // given
        final String body = Fixtures.example("callback-separate-vocal-success-alt-key.json");

        // when
        final ProviderCallback callback = parse(body);

        // then
        assertThat(callback).isEqualTo(new ProviderCallback(200, "vocal separation completed",
                "41aa0e2b9c7d4f0e8a1b2c3d4e5f6a7b",
                stems(Stem.VOCALS, "91be_Vocals.mp3", Stem.INSTRUMENTAL, "91be_Instrumental.mp3"),
                FILES + "91be_Origin.mp3"));
    }

    @Test
    void shouldReadAllTwelveStemsInVocabularyOrderWhenSplitStemSucceeds() throws Exception {
        // given
        final String body = Fixtures.example("callback-split-stem-success.json");

        // when
        final ProviderCallback callback = parse(body);

        // then
        assertThat(callback.stems()).containsExactly(
                Map.entry(Stem.VOCALS, FILES + "0742_Vocals.mp3"),
                Map.entry(Stem.BACKING_VOCALS, FILES + "aadc_Backing_Vocals.mp3"),
                Map.entry(Stem.DRUMS, FILES + "ac75_Drums.mp3"),
                Map.entry(Stem.BASS, FILES + "a3c2_Bass.mp3"),
                Map.entry(Stem.GUITAR, FILES + "064d_Guitar.mp3"),
                Map.entry(Stem.KEYBOARD, FILES + "5b1e_Keyboard.mp3"),
                Map.entry(Stem.STRINGS, FILES + "c0de_Strings.mp3"),
                Map.entry(Stem.BRASS, FILES + "334b_Brass.mp3"),
                Map.entry(Stem.WOODWINDS, FILES + "9f9f_Woodwinds.mp3"),
                Map.entry(Stem.PERCUSSION, FILES + "1234_Percussion.mp3"),
                Map.entry(Stem.SYNTH, FILES + "77aa_Synth.mp3"),
                Map.entry(Stem.FX, FILES + "a882_FX.mp3"));
        assertThat(callback.originUrl()).isNull();
    }

    @Test
    void shouldSkipNullStemsWhenSplitStemIsPartial() throws Exception {
        // given
        final String body = Fixtures.example("callback-split-stem-partial.json");

        // when
        final ProviderCallback callback = parse(body);

        // then
        assertThat(callback.stems()).containsOnlyKeys(Stem.VOCALS, Stem.BACKING_VOCALS, Stem.DRUMS, Stem.BASS);
    }

    @Test
    void shouldYieldNoStemsWhenTheCallbackReportsAFailure() throws Exception {
        // given
        final String nullInfo = Fixtures.example("callback-failed-451.json");
        final String noInfo = Fixtures.example("callback-failed-500.json");

        // when
        final ProviderCallback failed451 = parse(nullInfo);
        final ProviderCallback failed500 = parse(noInfo);

        // then
        assertThat(failed451).isEqualTo(new ProviderCallback(451, "source audio could not be downloaded",
                "5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d", Map.of(), null));
        assertThat(failed500).isEqualTo(new ProviderCallback(500, "internal error while separating",
                "6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e", Map.of(), null));
    }

    @Test
    void shouldIgnoreUnknownFieldsWhenTheProviderAddsSome() throws Exception {
        // given
        final String body = """
                {"code": 200, "msg": "ok", "extra": {"nested": [1, 2]}, "createTime": 1753782854000,
                 "data": {"task_id": "t-1", "callbackType": "complete",
                  "vocal_removal_info": {"vocal_url": "https://x/v.mp3", "harp_url": "https://x/h.mp3",
                   "duration": 245.6, "origin_url": "", "instrumental_url": ""}}}""";

        // when
        final ProviderCallback callback = parse(body);

        // then
        assertThat(callback).isEqualTo(new ProviderCallback(200, "ok", "t-1", Map.of(Stem.VOCALS, "https://x/v.mp3"), null));
    }

    @Test
    void shouldAcceptAMissingMessageWhenTheProviderOmitsMsg() throws Exception {
        // given
        final String body = "{\"code\": 500, \"data\": {\"task_id\": \"t-2\"}}";

        // when
        final ProviderCallback callback = parse(body);

        // then
        assertThat(callback.message()).isNull();
        assertThat(callback.code()).isEqualTo(500);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json               | {"code": 200,                                          | MALFORMED_JSON  | not valid JSON
            empty body             |                                                        | MALFORMED_JSON  | empty
            trailing content       | {"code": 200, "data": {"task_id": "t"}} {}             | MALFORMED_JSON  | not valid JSON
            duplicate key          | {"code": 200, "code": 400, "data": {"task_id": "t"}}   | MALFORMED_JSON  | Duplicate field 'code'
            array body             | [1, 2]                                                 | INVALID_PAYLOAD | must be a JSON object, was an array
            missing code           | {"data": {"task_id": "t"}}                             | INVALID_PAYLOAD | 'code' is required
            string code            | {"code": "200", "data": {"task_id": "t"}}              | INVALID_PAYLOAD | 'code' must be an integer, was a string
            decimal code           | {"code": 200.5, "data": {"task_id": "t"}}              | INVALID_PAYLOAD | 'code' must be an integer, was a decimal number
            huge code              | {"code": 99999999999, "data": {"task_id": "t"}}        | INVALID_PAYLOAD | was an integer out of range
            numeric msg            | {"code": 200, "msg": 5, "data": {"task_id": "t"}}      | INVALID_PAYLOAD | 'msg' must be a string or null, was an integer
            missing data           | {"code": 200}                                          | INVALID_PAYLOAD | 'data.task_id' is required, but 'data' is missing
            string data            | {"code": 200, "data": "t"}                             | INVALID_PAYLOAD | 'data' must be an object, was a string
            missing task_id        | {"code": 200, "data": {}}                              | INVALID_PAYLOAD | 'data.task_id' is required
            null task_id           | {"code": 200, "data": {"task_id": null}}               | INVALID_PAYLOAD | 'data.task_id' is required
            numeric task_id        | {"code": 200, "data": {"task_id": 42}}                 | INVALID_PAYLOAD | 'data.task_id' must be a string, was an integer
            blank task_id          | {"code": 200, "data": {"task_id": "  "}}               | INVALID_PAYLOAD | 'data.task_id' must not be empty
            info is a string       | {"code": 200, "data": {"task_id": "t", "vocal_removal_info": "x"}} | INVALID_PAYLOAD | 'data.vocal_removal_info' must be an object or null, was a string
            both info keys         | {"code": 200, "data": {"task_id": "t", "vocal_removal_info": {}, "vocal_separation_info": {}}} | INVALID_PAYLOAD | holds both
            numeric stem url       | {"code": 200, "data": {"task_id": "t", "vocal_removal_info": {"vocal_url": 1}}} | INVALID_PAYLOAD | 'data.vocal_removal_info.vocal_url' must be a string or null, was an integer
            array origin url       | {"code": 200, "data": {"task_id": "t", "vocal_separation_info": {"origin_url": []}}} | INVALID_PAYLOAD | 'data.vocal_separation_info.origin_url' must be a string or null, was an array
            """)
    void shouldSayWhatIsWrongWhenTheBodyIsNotACallback(final String caseName, final String body, final Outcome outcome,
                                                       final String message) {
        // given
        final byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);

        // when / then
        assertThatThrownBy(() -> parser.parse(bytes))
                .as(caseName)
                .isInstanceOfSatisfying(InvalidCallbackException.class, e -> assertThat(e.outcome()).isEqualTo(outcome))
                .hasMessageContaining(message);
    }

    @Test
    void shouldRefuseFieldsTooLongForAKafkaRecordWhenTheBodyIsWithinTheLimit() {
        // given
        final String longMessage = "{\"code\": 200, \"msg\": \"" + "m".repeat(CallbackParser.MAX_TEXT_CHARS + 1)
                + "\", \"data\": {\"task_id\": \"t\"}}";
        final String longTaskId = "{\"code\": 200, \"data\": {\"task_id\": \""
                + "t".repeat(CallbackParser.MAX_TASK_ID_CHARS + 1) + "\"}}";

        // when / then
        assertThatThrownBy(() -> parse(longMessage)).hasMessage("'msg' is longer than 16384 characters");
        assertThatThrownBy(() -> parse(longTaskId)).hasMessage("'data.task_id' is longer than 1024 characters");
    }

    private ProviderCallback parse(final String body) throws InvalidCallbackException {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<Stem, String> stems(final Stem first, final String firstFile, final Stem second,
                                           final String secondFile) {
        final Map<Stem, String> stems = new LinkedHashMap<>();
        stems.put(first, FILES + firstFile);
        stems.put(second, FILES + secondFile);
        return stems;
    }
}
