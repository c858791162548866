package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.ApiClient.Answer;
import io.stemflow.emulator.support.CallbackReceiver;
import io.stemflow.emulator.support.CallbackReceiver.Received;
import io.stemflow.emulator.support.ContractExamples;
import io.stemflow.emulator.support.JsonShape;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.testing.WithProviderEmulator;
import io.stemflow.emulator.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every example in the provider contract's {@code examples/} is matched (same keys and types) by the emulator. */
@WithProviderEmulator
class ContractExamplesTest {

    private CallbackReceiver receiver;

    @BeforeEach
    void useReceiver(final CallbackReceiver receiver) {
        this.receiver = receiver;
    }

    @Test
    void shouldAnswerLikeGenerateAcceptedExampleWhenTheDocumentedRequestIsSent() {
        // given the documented request, with its callBackUrl pointed at a local receiver (tests call no other host)
        final ObjectNode request = (ObjectNode) ContractExamples.load("generate-request.json");
        request.put("callBackUrl", receiver.url("accepted"));
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().build())) {
            // when
            final Answer answer = new ApiClient(emulator.baseUrl()).generate(API_KEY, request);

            // then
            assertThat(answer.code()).isEqualTo(200);
            assertThat(JsonShape.differences(ContractExamples.load("generate-accepted.json"), answer.body())).isEmpty();
            assertThat(answer.taskId()).matches("[0-9a-f]{32}");
        }
    }

    @Test
    void shouldAnswerLikeCreditExampleWhenCreditIsAsked() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().initialCredits(1250).build())) {
            // when
            final Answer answer = new ApiClient(emulator.baseUrl()).credit(API_KEY);

            // then
            assertThat(JsonShape.differences(ContractExamples.load("credit.json"), answer.body())).isEmpty();
            assertThat(answer.body()).isEqualTo(ContractExamples.load("credit.json"));
        }
    }

    @ParameterizedTest(name = "error {0}")
    @ValueSource(ints = {400, 401, 405, 413, 429, 430, 455, 500})
    void shouldAnswerLikeErrorExampleWhenErrorIsProvoked(final int code) {
        // given
        final EmulatorConfig.Builder config = TestConfigs.quick().maxBodyBytes(512);
        switch (code) {
            case 405 -> config.rateLimit(new RateLimit(1, Duration.ofMinutes(1), 405));
            case 430 -> config.rateLimit(new RateLimit(1, Duration.ofMinutes(1), 430));
            case 429 -> config.initialCredits(5);
            case 455 -> config.maintenance(true);
            case 500 -> config.faults(FaultShares.NONE.withServerErrors(1.0));
            default -> { }
        }
        final JsonNode example = ContractExamples.load("error-" + code + ".json");
        try (ProviderEmulator emulator = ProviderEmulator.start(config.build())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final ObjectNode valid = ApiClient.generateBody("separate_vocal", receiver.url("errors"));

            // when
            final Answer answer = switch (code) {
                case 400 -> client.generate(API_KEY, valid.put("type", "karaoke"));
                case 401 -> client.generate("sk-wrong-key", valid);
                case 405, 430 -> {
                    client.credit(API_KEY);
                    yield client.credit(API_KEY);
                }
                case 413 -> client.generate(API_KEY, valid.put("audioId", "x".repeat(600)));
                default -> client.generate(API_KEY, valid);
            };

            // then
            assertThat(answer.code()).isEqualTo(code);
            assertThat(JsonShape.differences(example, answer.body())).isEmpty();
            assertThat(answer.body().path("msg").asText()).startsWith(example.path("msg").asText());
        }
    }

    @Test
    void shouldAnswerRecordInfoLikePendingExampleWhenTaskIsNotComplete() {
        // given string times, as in the pending example
        final ManualTime time = new ManualTime(Instant.parse("2026-11-20T10:14:03Z"));
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .recordInfoTimeFormat(RecordInfoTimeFormat.STRING)
                .processingTime(ProcessingTime.fixed(Duration.ofMinutes(1))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY,
                    ApiClient.generateBody("split_stem", receiver.url("pending"))).taskId();

            // when
            final Answer answer = client.recordInfo(API_KEY, taskId);

            // then
            assertThat(JsonShape.differences(ContractExamples.load("record-info-pending.json"), answer.body())).isEmpty();
            assertThat(answer.body().at("/data/successFlag").asText()).isEqualTo("PENDING");
            assertThat(answer.body().at("/data/createTime").asText()).isEqualTo("2026-11-20 10:14:03");
        }
    }

    @Test
    void shouldAnswerRecordInfoLikeSuccessExampleWhenSeparateVocalTaskCompleted() {
        // given
        final ManualTime time = new ManualTime(Instant.parse("2026-07-29T10:00:00Z"));
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(83))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY,
                    ApiClient.generateBody("separate_vocal", receiver.url("success"))).taskId();

            // when
            time.advance(Duration.ofSeconds(83));
            final Answer answer = client.recordInfo(API_KEY, taskId);

            // then
            assertThat(JsonShape.differences(ContractExamples.load("record-info-success.json"), answer.body())).isEmpty();
            assertThat(answer.body().at("/data/completeTime").asLong() - answer.body().at("/data/createTime").asLong())
                    .isEqualTo(83_000);
        }
    }

    @Test
    void shouldPostLikeExampleWhenASeparateVocalTaskSucceeds() {
        assertThat(JsonShape.differences(ContractExamples.load("callback-separate-vocal-success.json"),
                firstCallback(c -> { }, "separate_vocal").body())).isEmpty();
    }

    @Test
    void shouldPostAlternativeInfoKeyCallbackLikeExampleWhenConfigured() {
        final JsonNode callback = firstCallback(c -> c.callbackInfoKey(CallbackInfoKey.VOCAL_SEPARATION_INFO),
                "separate_vocal").body();
        assertThat(JsonShape.differences(ContractExamples.load("callback-separate-vocal-success-alt-key.json"),
                callback)).isEmpty();
    }

    @Test
    void shouldPostLikeExampleWhenASplitStemTaskSucceeds() {
        assertThat(JsonShape.differences(ContractExamples.load("callback-split-stem-success.json"),
                firstCallback(c -> { }, "split_stem").body())).isEmpty();
    }

    @Test
    void shouldPostFailedCallbacksLikeExamplesWhenTasksFail() {
        assertThat(JsonShape.differences(ContractExamples.load("callback-failed-451.json"),
                firstCallback(c -> c.faults(FaultShares.NONE.withTaskFailures(1.0)).failureCodes(List.of(451)),
                        "split_stem").body())).isEmpty();
        assertThat(JsonShape.differences(ContractExamples.load("callback-failed-500.json"),
                firstCallback(c -> c.faults(FaultShares.NONE.withTaskFailures(1.0)).failureCodes(List.of(500)),
                        "separate_vocal").body())).isEmpty();
    }

    @Test
    void shouldPostPartialSplitStemCallbacksWhenPartialShareIsSet() {
        // given every split_stem result partial: the first k stems produced, the next two null, the rest absent
        final JsonNode example = ContractExamples.load("callback-split-stem-partial.json");
        final JsonNode full = ContractExamples.load("callback-split-stem-success.json");
        final int tasks = 40;
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .faults(FaultShares.NONE.withPartialStems(1.0)).build())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            for (int i = 0; i < tasks; i++) {
                assertThat(client.generate(API_KEY, ApiClient.generateBody("split_stem", receiver.url("partial"))).code())
                        .isEqualTo(200);
            }

            // when
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.receivedOn("partial").size() == tasks);

            // then every one is a sub-shape of the full result, with some stems null and some absent ...
            for (final Received r : receiver.receivedOn("partial")) {
                final JsonNode info = r.body().at("/data/vocal_removal_info");
                assertThat(info.path("vocal_url").isTextual()).isTrue();
                info.fieldNames().forEachRemaining(k -> assertThat(full.at("/data/vocal_removal_info").has(k)).isTrue());
                final long urls = full.at("/data/vocal_removal_info").properties().stream()
                        .filter(e -> !e.getKey().equals("origin_url") && info.path(e.getKey()).isTextual()).count();
                assertThat(urls).isBetween(1L, 10L);
            }
            // ... and the one with four stems is exactly the documented partial example
            assertThat(receiver.receivedOn("partial")).anySatisfy(r ->
                    assertThat(JsonShape.differences(example, r.body())).isEmpty());
        }
    }

    private Received firstCallback(final Consumer<EmulatorConfig.Builder> tweak, final String type) {
        final EmulatorConfig.Builder config = TestConfigs.quick();
        tweak.accept(config);
        final String path = "cb-" + type + "-" + System.nanoTime();
        try (ProviderEmulator emulator = ProviderEmulator.start(config.build())) {
            final Answer answer = new ApiClient(emulator.baseUrl())
                    .generate(API_KEY, ApiClient.generateBody(type, receiver.url(path)));
            assertThat(answer.code()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.receivedOn(path).isEmpty());
            final Received received = receiver.receivedOn(path).get(0);
            assertThat(received.taskId()).isEqualTo(answer.taskId());
            return received;
        }
    }
}
