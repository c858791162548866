package io.stemflow.pipeline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.JobState;
import io.stemflow.kafka.JsonSerde;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusEntryTest {

    @Test
    void shouldReadAnEntryStoredBeforeNotesWereCountedAsOneOccurrence() {
        // given a job-states value written by the previous version (no times, no lastAt)
        final String stored = "{\"state\":\"COMPLETED\",\"previousState\":\"COMPLETED\",\"reason\":\"duplicate callback result ignored\","
                + "\"code\":200,\"providerTaskId\":\"t1\",\"attempt\":1,\"at\":1700000000000}";
        // when
        final StatusEntry entry = JsonSerde.of(StatusEntry.class).deserializer()
                .deserialize("job-states", stored.getBytes(StandardCharsets.UTF_8));
        // then
        assertThat(entry.times()).isEqualTo(1);
        assertThat(entry.lastAt()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void shouldCountOnlyBackToBackRepeatsOfTheSameNoteWhenAppending() {
        // given
        final StatusEntry step = new StatusEntry(JobState.COMPLETED, JobState.SUBMITTED, "callback", 200, "t1", 1, 10);
        final StatusEntry note = new StatusEntry(JobState.COMPLETED, JobState.COMPLETED, "duplicate", 200, "t1", 1, 20);
        final StatusEntry other = new StatusEntry(JobState.COMPLETED, JobState.COMPLETED, "late", 200, "t1", 1, 30);
        // when
        List<StatusEntry> history = JobRecord.append(List.of(step), note, 3);
        history = JobRecord.append(history, note, 3);
        history = JobRecord.append(history, other, 3);
        history = JobRecord.append(history, note, 3);
        // then the step is never folded; a note is folded only into the same note right before it
        assertThat(history).extracting(StatusEntry::reason, StatusEntry::times)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("duplicate", 2),
                        org.assertj.core.groups.Tuple.tuple("late", 1), org.assertj.core.groups.Tuple.tuple("duplicate", 1));
        assertThat(JobRecord.append(List.of(step), step, 3)).hasSize(2);
    }
}
