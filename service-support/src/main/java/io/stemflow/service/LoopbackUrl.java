package io.stemflow.service;

/**
 * The one rule for turning the address a server binds to into a host a URL can use: a wildcard address
 * ({@code 0.0.0.0}, {@code ::}, {@code [::]}) accepts connections on every interface but cannot be connected to,
 * so a URL names {@code 127.0.0.1} instead; any other host is used as it is.
 */
public final class LoopbackUrl {

    private LoopbackUrl() {
    }

    /** Whether {@code host} is a wildcard bind address. */
    public static boolean isWildcard(final String host) {
        return "0.0.0.0".equals(host) || "::".equals(host) || "[::]".equals(host);
    }

    /** {@code host}, or {@code 127.0.0.1} when it is a wildcard bind address (a host to connect to). */
    public static String host(final String host) {
        return isWildcard(host) ? "127.0.0.1" : host;
    }

    /** {@link #host(String)} as a URL's host part: an IPv6 literal in brackets. */
    public static String urlHost(final String host) {
        final String reachable = host(host);
        return reachable.contains(":") && !reachable.startsWith("[") ? "[" + reachable + "]" : reachable;
    }

    /** {@code <scheme>://<urlHost>:<port>}. */
    public static java.net.URI url(final String scheme, final String bindHost, final int port) {
        return java.net.URI.create(scheme + "://" + urlHost(bindHost) + ":" + port);
    }
}
