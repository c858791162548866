package io.stemflow.gateway;

import io.stemflow.avro.DeadLetter;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a record whose handling threw: a PROCESSING_ERROR dead letter naming its origin and the stage
 * that failed, logged once at ERROR; it is counted ({@code stemflow.gateway.dead.letters}) when committed. One per
 * {@link WorkLoop}, used at every stage that may throw: decoding ({@link WorkLoop}), deciding whether to start
 * and handling a reply ({@link Dispatcher}), serialising the outputs ({@link Committer}). Loop thread only.
 */
final class SetAside {

    private static final Logger LOG = LoggerFactory.getLogger(SetAside.class);

    private final String role;
    private final GatewayDeadLetters deadLetters;

    SetAside(final String role, final GatewayDeadLetters deadLetters) {
        this.role = Objects.requireNonNull(role, "role");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** The dead letter of a record that threw while {@code stage}. */
    Output<DeadLetter> record(final GatewayDeadLetters.Source source, final String stage, final RuntimeException e) {
        LOG.error("{}: record {} set aside as a dead letter: unexpected {} while {}", role, source,
                e.getClass().getSimpleName(), stage, e);
        return deadLetters.processingError(source, stage, e);
    }

    /** Ends a job whose handling threw: its outputs become its PROCESSING_ERROR dead letter. */
    void job(final Job<?> job, final String stage, final RuntimeException e) {
        job.state = Job.State.DONE;
        job.outputs = List.of(record(new GatewayDeadLetters.Source(job.partition, job.offset, job.key, job.raw),
                stage, e));
    }
}
