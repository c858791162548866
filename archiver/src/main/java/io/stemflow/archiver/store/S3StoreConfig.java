package io.stemflow.archiver.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an {@link S3Store} keeps its objects and how it signs in. Every problem is reported together in one
 * {@link IllegalArgumentException}, each named by its component; the secret access key is never held here, only
 * the file it is read from (by {@link S3Store#create}), so this record can be logged as it is.
 *
 * @param bucket              the bucket, by the S3 naming rules: 3 to 63 lower-case letters, digits, {@code .} and
 *                            {@code -}, starting and ending with a letter or digit, no {@code ..}, not an IP
 *                            address
 * @param prefix              what every key is stored under; null or empty for the bucket's root, otherwise
 *                            normalised to end with {@code /}; must not start with {@code /}
 * @param region              the signing region ({@code eu-central-1}; S3-compatible stores mostly accept
 *                            {@code us-east-1})
 * @param endpoint            the store's {@code http(s)} URI, or null for AWS itself
 * @param pathStyle           {@code http://host/bucket/key} instead of {@code http://bucket.host/key}: what most
 *                            S3-compatible stores (MinIO, S3Proxy, Ceph) need
 * @param accessKeyId         the access key id, or null (with a null {@code secretAccessKeyFile}) for the SDK's
 *                            default credentials chain (environment, profile, container or instance role)
 * @param secretAccessKeyFile the file holding the secret access key (first line that is neither blank nor a
 *                            {@code #} comment), given together with {@code accessKeyId}
 */
public record S3StoreConfig(String bucket, String prefix, String region, URI endpoint, boolean pathStyle,
                            String accessKeyId, Path secretAccessKeyFile) {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public S3StoreConfig {
        prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? nullToEmpty(prefix) : prefix + "/";
        final List<String> problems = new ArrayList<>();
        bucketProblem(bucket).ifPresent(problems::add);
        if (prefix.startsWith("/")) {
            problems.add("prefix must not start with '/' (S3 keys have no leading slash), was '" + prefix + "'");
        }
        if (prefix.contains("//")) {
            problems.add("prefix must not contain an empty segment ('//'), was '" + prefix + "'");
        }
        if (region == null || region.isBlank()) {
            problems.add("region is required (us-east-1 for most S3-compatible stores)");
        } else if (!region.equals(region.strip()) || region.chars().anyMatch(Character::isWhitespace)) {
            problems.add("region must not contain whitespace, was '" + region + "'");
        }
        if (endpoint != null) {
            final String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
                problems.add("endpoint must be an http or https URI with a host, was " + shown(endpoint));
            } else if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null
                    || endpoint.getRawUserInfo() != null) {
                problems.add("endpoint must have no user info, query or fragment, was " + shown(endpoint));
            }
        }
        final boolean hasId = accessKeyId != null;
        if (hasId != (secretAccessKeyFile != null)) {
            problems.add("accessKeyId and secretAccessKeyFile go together: give both, or neither for the default"
                    + " credentials chain");
        }
        if (hasId && (accessKeyId.isBlank() || accessKeyId.chars().anyMatch(Character::isWhitespace))) {
            problems.add("accessKeyId must not be blank or contain whitespace");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("S3 store configuration: " + String.join("; ", problems));
        }
    }

    /** Whether the credentials come from {@link #accessKeyId} and {@link #secretAccessKeyFile}. */
    public boolean hasStaticCredentials() {
        return accessKeyId != null;
    }

    private static Optional<String> bucketProblem(final String bucket) {
        if (bucket == null || bucket.isEmpty()) {
            return Optional.of("bucket is required");
        }
        if (!BUCKET.matcher(bucket).matches()) {
            return Optional.of("bucket must be 3 to 63 lower-case letters, digits, '.' and '-', starting"
                    + " and ending with a letter or digit, was '" + bucket + "'");
        }
        if (bucket.contains("..") || IP_ADDRESS.matcher(bucket).matches()) {
            return Optional.of("bucket must not contain '..' or be an IP address, was '" + bucket + "'");
        }
        return Optional.empty();
    }

    /** The endpoint for a message: scheme, host and port only, since user info or a query may hold a secret. */
    private static String shown(final URI endpoint) {
        if (endpoint.getHost() == null) {
            return "a URI without a host (not shown)";
        }
        return endpoint.getScheme() + "://" + endpoint.getHost()
                + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort()) + "/...";
    }

    private static String nullToEmpty(final String text) {
        return text == null ? "" : text;
    }
}
