package io.stemflow.pipeline.topology;

import io.stemflow.avro.CreditGrant;

/** What can happen to an account: the credit accounts processor's merged input. */
sealed interface AccountEvent {

    record Granted(CreditGrant grant) implements AccountEvent {
    }

    record Commanded(CreditCommand command) implements AccountEvent {
    }
}
