package io.stemflow.http;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the gateway's provider-call counter out of its Prometheus text ({@code GET /metrics}), for
 * {@code stemflow status} and the dashboard, which both sample it.
 */
public final class ProviderCallsText {

    private static final Pattern SERIES =
            Pattern.compile("^stemflow_provider_calls_total(?:\\{[^}]*})?\\s+(\\S+)(?:\\s+\\d+)?\\s*$");

    private ProviderCallsText() {
    }

    /**
     * The sum of every {@code stemflow_provider_calls_total} series (every endpoint and code: the provider's limit
     * counts refused calls too); 0 when the gateway has made no call yet (the counter appears with the first);
     * empty when the text is not the gateway's metrics at all (no {@code stemflow_gateway_} series: a wrong URL
     * must not read as "0 calls") or a value is not a number.
     */
    public static OptionalDouble total(final String prometheusText) {
        boolean gateway = false;
        double sum = 0;
        for (final String line : (Iterable<String>) prometheusText.lines()::iterator) {
            gateway |= line.startsWith("stemflow_gateway_");
            final Matcher m = SERIES.matcher(line);
            if (m.matches()) {
                try {
                    sum += Double.parseDouble(m.group(1));
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return gateway ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
