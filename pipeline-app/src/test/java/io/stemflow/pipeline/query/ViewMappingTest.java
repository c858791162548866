package io.stemflow.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.JobState;
import io.stemflow.pipeline.topology.BatchTally;
import io.stemflow.pipeline.topology.JobRecord;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewMappingTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void shouldShowEveryPublicFieldOfAJobWhenMappingACompletedJob() {
        // given
        final JobRecord job = Fixtures.completedJob("req-1");

        // when
        final JobView view = JobView.of(job);

        // then
        assertThat(view.requestId()).isEqualTo("req-1");
        assertThat(view.accountId()).isEqualTo("acct-1");
        assertThat(view.batchId()).isEqualTo("batch-1");
        assertThat(view.type()).isEqualTo("SEPARATE_VOCAL");
        assertThat(view.attempt()).isEqualTo(1);
        assertThat(view.state()).isEqualTo("COMPLETED");
        assertThat(view.providerTaskId()).isEqualTo("prov-9");
        assertThat(view.credits()).isEqualTo(10);
        assertThat(view.requestedAt()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(view.completedAt()).isEqualTo("2026-11-24T10:01:00Z");
        assertThat(view.stems()).containsExactly(
                new JobView.StemView("VOCALS", "https://files.example/v.mp3"),
                new JobView.StemView("INSTRUMENTAL", "https://files.example/i.mp3"));
        assertThat(view.history()).containsExactly(
                new JobView.HistoryView("REQUESTED", null, null, null, 1, "2026-11-24T10:00:00Z", 1, null),
                new JobView.HistoryView("ADMITTED", "REQUESTED", null, null, 1, "2026-11-24T10:00:01Z", 1, null),
                new JobView.HistoryView("SUBMITTED", "ADMITTED", null, 200, 1, "2026-11-24T10:00:02Z", 1, null),
                new JobView.HistoryView("COMPLETED", "SUBMITTED", "callback", 200, 1, "2026-11-24T10:01:00Z", 1, null));
    }

    @Test
    void shouldShowNoCompletionTimeNorStemsWhenJobIsNotCompleted() {
        // given
        final JobRecord job = Fixtures.requestedJob("req-2", "acct-2");

        // when
        final JobView view = JobView.of(job);

        // then
        assertThat(view.completedAt()).isNull();
        assertThat(view.providerTaskId()).isNull();
        assertThat(view.batchId()).isNull();
        assertThat(view.stems()).isEmpty();
        assertThat(view.history()).extracting(JobView.HistoryView::state).containsExactly("REQUESTED");
    }

    @Test
    void shouldWriteHistoryTimesAsIsoStringsWhenSerialisedToJson() throws Exception {
        // given
        final JobView view = JobView.of(Fixtures.completedJob("req-3"));

        // when
        final JsonNode json = mapper.readTree(mapper.writeValueAsString(view));

        // then
        assertThat(json.path("history").get(0).path("at").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(json.path("history").get(0).path("previousState").isNull()).isTrue();
        assertThat(json.path("stems").get(0).path("stem").asText()).isEqualTo("VOCALS");
        assertThat(json.fieldNames()).toIterable().contains("requestId", "accountId", "batchId", "type", "attempt",
                "state", "providerTaskId", "credits", "stems", "history");
    }

    @Test
    void shouldReportHeldJobsWhenMappingAnAccount() {
        // given
        final var account = Fixtures.account("acct-9", 100, 30, 20, 2);

        // when
        final AccountView view = AccountView.of(account);

        // then
        assertThat(view).isEqualTo(new AccountView("acct-9", 100, 50, 30, 20, 2));
    }

    @Test
    void shouldListStatesInLifecycleOrderAndDropEmptyOnesWhenMappingABatch() {
        // given
        final Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        counts.put(JobState.COMPLETED, 3L);
        counts.put(JobState.ADMITTED, 2L);
        counts.put(JobState.REQUESTED, 1L);
        counts.put(JobState.FAILED, 0L);

        // when
        final BatchView view = BatchView.of("batch-7", new BatchTally(counts));

        // then
        assertThat(view.batchId()).isEqualTo("batch-7");
        assertThat(view.total()).isEqualTo(6);
        assertThat(List.copyOf(view.counts().keySet())).containsExactly("REQUESTED", "ADMITTED", "COMPLETED");
        assertThat(view.counts()).containsEntry("COMPLETED", 3L);
    }

    @Test
    void shouldReadBackTheSameAccountsWhenAnInstanceParsesAnotherOnesList() throws Exception {
        // given
        final AccountsView sent = new AccountsView(List.of(new AccountView("a", 1, 1, 0, 0, 0)), List.of("h:1"));

        // when
        final AccountsView read = mapper.readValue(mapper.writeValueAsBytes(sent), AccountsView.class);

        // then
        assertThat(read).isEqualTo(sent);
    }

    @Test
    void shouldEncodeReservedCharactersWhenBuildingAForwardedPath() {
        // given
        final String id = "a b/c?d%é";

        // when
        final String encoded = QueryApi.PathSegments.encode(id);

        // then
        assertThat(encoded).isEqualTo("a%20b%2Fc%3Fd%25%C3%A9");
        assertThat(QueryApi.PathSegments.encode("req-1_x.y~z")).isEqualTo("req-1_x.y~z");
    }
}
