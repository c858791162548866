package io.stemflow.gateway.provider;

import java.util.Objects;

/**
 * What one provider call gave: never an exception for something the provider or the network did. Codes come
 * from the body's {@code code} when there is one (the provider may answer HTTP 200 with an error code), else
 * from the HTTP status.
 *
 * @param <T> the data of a successful answer
 */
public sealed interface ProviderReply<T> permits ProviderReply.Ok, ProviderReply.Refused, ProviderReply.Unreachable {

    /** The provider's code: 200 for {@link Ok}, the error code for {@link Refused}, 0 for {@link Unreachable}. */
    int code();

    /** The provider's {@code msg}, or what went wrong on the way. Never contains a secret. */
    String message();

    /** Label for metrics: the code, or the failure kind of an unreachable provider. */
    default String codeLabel() {
        return this instanceof Unreachable<T> u ? u.failure().label() : Integer.toString(code());
    }

    /** Code 200 with its data. */
    record Ok<T>(T data, String message) implements ProviderReply<T> {
        public Ok {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public int code() {
            return 200;
        }
    }

    /** The provider answered with an error code (400, 401, 404, 405, 413, 429, 430, 455, 500, ...). */
    record Refused<T>(int code, String message, int httpStatus) implements ProviderReply<T> {
    }

    /** No usable answer: timeout, connection failure, or a body that is not the provider's envelope. */
    record Unreachable<T>(Failure failure, String message) implements ProviderReply<T> {
        public Unreachable {
            Objects.requireNonNull(failure, "failure");
        }

        @Override
        public int code() {
            return 0;
        }
    }

    /** Why a call got no usable answer. */
    enum Failure {
        /** No answer within the request timeout. */
        TIMEOUT("timeout"),
        /** Connection refused, reset or otherwise broken. */
        CONNECTION("connection"),
        /** An answer that is not the provider's JSON envelope. */
        MALFORMED("malformed");

        private final String label;

        Failure(final String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
