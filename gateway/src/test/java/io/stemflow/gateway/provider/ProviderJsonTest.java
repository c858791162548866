package io.stemflow.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.stemflow.avro.Stem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Parsing the provider's documented payloads (docs/provider-contract/examples), both code placements. */
class ProviderJsonTest {

    private static final Path EXAMPLES = Path.of(System.getProperty("stemflow.repo.root", ".."))
            .resolve("docs/provider-contract/examples");
    private final ProviderJson json = new ProviderJson(new ObjectMapper());

    @Test
    void shouldReadTaskIdCreditsAndRecordInfoWhenProviderAccepts() throws IOException {
        // when
        final ProviderReply<String> accepted = json.reply(Endpoint.GENERATE, 200, example("generate-accepted.json"),
                ProviderJson::taskId);
        final ProviderReply<Long> credit = json.reply(Endpoint.CREDIT, 200, example("credit.json"),
                ProviderJson::credits);
        final ProviderReply<RecordInfo> success = json.reply(Endpoint.RECORD_INFO, 200,
                example("record-info-success.json"), ProviderJson::recordInfo);
        final ProviderReply<RecordInfo> pending = json.reply(Endpoint.RECORD_INFO, 200,
                example("record-info-pending.json"), ProviderJson::recordInfo);

        // then
        assertThat(accepted).isEqualTo(new ProviderReply.Ok<>("3e63b4cc88d52611159371f6af5571e7", "success"));
        assertThat(credit).isEqualTo(new ProviderReply.Ok<>(1250L, "success"));
        final RecordInfo info = ((ProviderReply.Ok<RecordInfo>) success).data();
        assertThat(info.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(info.stems()).containsOnlyKeys(Stem.INSTRUMENTAL, Stem.VOCALS);
        assertThat(info.createTime()).contains(Instant.ofEpochMilli(1753782854000L));
        assertThat(info.originUrl()).isEmpty();
        final RecordInfo waiting = ((ProviderReply.Ok<RecordInfo>) pending).data();
        assertThat(waiting.state()).isEqualTo(TaskState.PENDING);
        assertThat(waiting.createTime()).contains(Instant.parse("2026-11-20T10:14:03Z"));
        assertThat(waiting.completeTime()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"error-400.json,400", "error-401.json,401", "error-405.json,405", "error-413.json,413",
            "error-429.json,429", "error-430.json,430", "error-455.json,455", "error-500.json,500"})
    void shouldReadTheSameCodeWhenItComesInBodyOrAsHttpStatus(final String file, final int code) throws IOException {
        // when
        final ProviderReply<String> inBody = json.reply(Endpoint.GENERATE, 200, example(file), ProviderJson::taskId);
        final ProviderReply<String> asStatus = json.reply(Endpoint.GENERATE, code, example(file),
                ProviderJson::taskId);

        // then
        assertThat(inBody.code()).isEqualTo(code);
        assertThat(asStatus.code()).isEqualTo(code);
        assertThat(inBody.message()).isEqualTo(asStatus.message()).isNotBlank();
    }

    @Test
    void shouldReportMalformedWhenCode200HasNoData() {
        // when
        final ProviderReply<String> reply = json.reply(Endpoint.GENERATE, 200,
                "{\"code\":200,\"msg\":\"success\",\"data\":null}".getBytes(), ProviderJson::taskId);

        // then
        assertThat(reply).isInstanceOfSatisfying(ProviderReply.Unreachable.class, u ->
                assertThat(u.failure()).isEqualTo(ProviderReply.Failure.MALFORMED));
    }

    @Property(tries = 200)
    void shouldReadTheSameInstantWhenTimeIsEpochMillisOrNumericString(
            @ForAll @LongRange(min = 100_000_000_000L, max = 4_000_000_000_000L) final long millis) {
        final Optional<Instant> number = ProviderJson.time(JsonNodeFactory.instance.numberNode(millis));
        final Optional<Instant> text = ProviderJson.time(JsonNodeFactory.instance.textNode(Long.toString(millis)));
        assertThat(number).contains(Instant.ofEpochMilli(millis)).isEqualTo(text);
    }

    private static byte[] example(final String name) throws IOException {
        return Files.readAllBytes(EXAMPLES.resolve(name));
    }
}
