package io.stemflow.pipeline.dashboard;

import io.stemflow.service.DurationText;
import io.stemflow.service.Secret;
import io.stemflow.service.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The dashboard's settings, read once with the pipeline's: whether it runs, which gateway's {@code /metrics} it
 * samples for the provider calls (and a viewer token of that gateway), and the provider's limit the calls are
 * drawn against.
 *
 * @param enabled      {@code STEMFLOW_DASHBOARD}: serve the dashboard and read its feed (default true)
 * @param gatewayUrl   {@code STEMFLOW_DASHBOARD_GATEWAY_URL}: the gateway's HTTP base URL; null: no provider figures
 * @param gatewayToken {@code STEMFLOW_DASHBOARD_GATEWAY_TOKEN} (or {@code _FILE}): a viewer token for the gateway's
 *                     {@code /metrics}; null: none sent
 * @param limit        {@code STEMFLOW_DASHBOARD_PROVIDER_LIMIT}: {@code CALLS/DURATION}, default {@code 20/10s}
 *                     (the provider contract's and the gateway's default)
 */
public record DashboardConfig(boolean enabled, URI gatewayUrl, Secret gatewayToken, ProviderCalls.Limit limit) {

    public static final String ENABLED = "STEMFLOW_DASHBOARD";
    public static final String GATEWAY_URL = "STEMFLOW_DASHBOARD_GATEWAY_URL";
    public static final String GATEWAY_TOKEN = "STEMFLOW_DASHBOARD_GATEWAY_TOKEN";
    public static final String PROVIDER_LIMIT = "STEMFLOW_DASHBOARD_PROVIDER_LIMIT";
    public static final ProviderCalls.Limit DEFAULT_LIMIT = new ProviderCalls.Limit(20, Duration.ofSeconds(10));

    /** The dashboard on, with no gateway to sample. */
    public static DashboardConfig defaults() {
        return new DashboardConfig(true, null, null, DEFAULT_LIMIT);
    }

    /** Reads the settings above; problems are collected in {@code r}. */
    public static DashboardConfig read(final Settings r) {
        final boolean enabled = r.bool(ENABLED, true);
        final URI gateway = r.optional(GATEWAY_URL).isPresent() ? r.httpUrl(GATEWAY_URL) : null;
        final Secret token = r.secret(GATEWAY_TOKEN).orElse(null);
        final ProviderCalls.Limit limit = r.optional(PROVIDER_LIMIT).flatMap(text -> parseLimit(r, text))
                .orElse(DEFAULT_LIMIT);
        return new DashboardConfig(enabled, gateway, token, limit);
    }

    private static Optional<ProviderCalls.Limit> parseLimit(final Settings r, final String text) {
        final String[] parts = text.strip().split("/", -1);
        try {
            if (parts.length == 2 && parts[0].strip().matches("\\d{1,9}")) {
                final Duration window = DurationText.parse(parts[1].strip());
                return Optional.of(new ProviderCalls.Limit(Integer.parseInt(parts[0].strip()), window));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        r.problem(PROVIDER_LIMIT + " must be CALLS/DURATION with CALLS a positive whole number and DURATION "
                + "positive, e.g. 20/10s, was '" + text + "'");
        return Optional.empty();
    }
}
