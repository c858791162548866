package io.stemflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLetterRulesTest {

    @Test
    void shouldReadBackTheProviderTaskWhenATaskMismatchIdWasWrittenForIt() {
        // given request ids and task ids with the separator in them
        for (final String[] c : new String[][] {{"job-1", "t-9"}, {"batch/job/2", "a/b"}, {"j", "x"}}) {
            // when
            final DeadLetter d = letter(DeadLetterKind.TASK_MISMATCH, c[0], DeadLetterRules.taskMismatchId(c[0], c[1]));

            // then
            assertThat(DeadLetterRules.mismatchedTask(d)).contains(c[1]);
        }
    }

    @Test
    void shouldFindNoTaskWhenTheDeadLetterIsOfAnotherKindOrItsIdIsNotAMismatchId() {
        assertThat(DeadLetterRules.mismatchedTask(letter(DeadLetterKind.JOB_FAILED, "job-1",
                "job-1/1/JOB_FAILED"))).isEmpty();
        assertThat(DeadLetterRules.mismatchedTask(letter(DeadLetterKind.TASK_MISMATCH, "job-1",
                "other/t-9/TASK_MISMATCH"))).isEmpty();
        assertThat(DeadLetterRules.mismatchedTask(letter(DeadLetterKind.TASK_MISMATCH, "job-1",
                "job-1/TASK_MISMATCH"))).isEmpty();
        assertThat(DeadLetterRules.mismatchedTask(letter(DeadLetterKind.TASK_MISMATCH, null,
                "job-1/t-9/TASK_MISMATCH"))).isEmpty();
    }

    private static DeadLetter letter(final DeadLetterKind kind, final String requestId, final String id) {
        return DeadLetter.newBuilder().setDeadLetterId(id).setKind(kind).setReason("r").setRequestId(requestId)
                .setSourceTopic(TopicNames.RESULTS).setFailedAt(Instant.EPOCH).build();
    }
}
