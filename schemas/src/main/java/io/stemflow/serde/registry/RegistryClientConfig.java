package io.stemflow.serde.registry;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link RestSchemaRegistryClient}, validated once.
 *
 * @param urls registry base URLs without credentials, tried in order with failover
 * @param auth how to authenticate ({@code toString()} hides the secret)
 * @param requestTimeout connect and request timeout of each HTTP call
 * @param cacheCapacity maximum entries of each cache (id to schema, subject+schema to id, latest)
 * @param latestCacheTtl how long the latest version of a subject is cached; zero disables it
 */
public record RegistryClientConfig(
        List<URI> urls, RegistryAuth auth, Duration requestTimeout, int cacheCapacity, Duration latestCacheTtl) {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_CACHE_CAPACITY = 1000;
    public static final Duration DEFAULT_LATEST_CACHE_TTL = Duration.ofSeconds(60);

    public RegistryClientConfig {
        Objects.requireNonNull(urls, "urls");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(latestCacheTtl, "latestCacheTtl");
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("At least one schema registry URL is needed");
        }
        for (final URI url : urls) {
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException(
                        "Registry URL " + RegistryUrls.redact(url.toString()) + " must not carry credentials: use auth");
            }
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("Request timeout must be positive, was " + requestTimeout);
        }
        if (cacheCapacity < 1) {
            throw new IllegalArgumentException("Cache capacity must be >= 1, was " + cacheCapacity);
        }
        if (latestCacheTtl.isNegative()) {
            throw new IllegalArgumentException("Latest-version cache TTL must not be negative, was " + latestCacheTtl);
        }
    }

    /** Defaults for everything but the URLs, which may carry {@code user:pass@} for basic auth. */
    public static RegistryClientConfig of(String commaSeparatedUrls) {
        final RegistryUrls.Parsed parsed = RegistryUrls.parse(commaSeparatedUrls);
        final RegistryAuth auth = parsed.userInfo().<RegistryAuth>map(basic -> basic).orElse(RegistryAuth.none());
        return new RegistryClientConfig(
                parsed.urls(), auth, DEFAULT_REQUEST_TIMEOUT, DEFAULT_CACHE_CAPACITY, DEFAULT_LATEST_CACHE_TTL);
    }

    public RegistryClientConfig withAuth(RegistryAuth newAuth) {
        return new RegistryClientConfig(urls, newAuth, requestTimeout, cacheCapacity, latestCacheTtl);
    }

    public RegistryClientConfig withRequestTimeout(Duration timeout) {
        return new RegistryClientConfig(urls, auth, timeout, cacheCapacity, latestCacheTtl);
    }

    public RegistryClientConfig withCacheCapacity(int capacity) {
        return new RegistryClientConfig(urls, auth, requestTimeout, capacity, latestCacheTtl);
    }

    public RegistryClientConfig withLatestCacheTtl(Duration ttl) {
        return new RegistryClientConfig(urls, auth, requestTimeout, cacheCapacity, ttl);
    }
}
