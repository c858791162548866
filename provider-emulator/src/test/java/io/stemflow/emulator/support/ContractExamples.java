package io.stemflow.emulator.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The provider contract's example payloads, copied to {@code src/test/resources/contract-examples}. */
public final class ContractExamples {

    private ContractExamples() {
    }

    public static JsonNode load(final String name) {
        try (InputStream in = ContractExamples.class.getResourceAsStream("/contract-examples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no contract example " + name + " on the test classpath");
            }
            return ApiClient.MAPPER.readTree(in);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read contract example " + name, e);
        }
    }
}
