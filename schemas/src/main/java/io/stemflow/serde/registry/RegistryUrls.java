package io.stemflow.serde.registry;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses the comma-separated registry URL list, taking any {@code user:pass@} out of each URL so
 * that only credential-free URLs are ever kept, sent or printed.
 */
public final class RegistryUrls {

    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^\\s,]*@");

    /** URLs without credentials, plus the basic credentials found in the first URL that had some. */
    public record Parsed(List<URI> urls, Optional<RegistryAuth.Basic> userInfo) {
        public Parsed {
            urls = List.copyOf(urls);
        }
    }

    private RegistryUrls() {}

    /**
     * Parses {@code raw}, e.g. {@code "http://a:8081, https://user:pass@b:8081/ccompat"}.
     *
     * @throws IllegalArgumentException when empty or an entry is not an absolute http(s) URL; the
     *     message shows the entry with its credentials replaced by {@code ***}
     */
    public static Parsed parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("no URL given");
        }
        final List<URI> urls = new ArrayList<>();
        Optional<RegistryAuth.Basic> userInfo = Optional.empty();
        for (final String entry : raw.split(",")) {
            final String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            final int schemeEnd = trimmed.indexOf("://");
            if (schemeEnd <= 0) {
                throw new IllegalArgumentException("'" + redactEntry(trimmed) + "' is not an absolute http(s) URL");
            }
            String rest = trimmed.substring(schemeEnd + 3);
            final int at = rest.lastIndexOf('@');
            if (at >= 0) {
                final String info = rest.substring(0, at);
                rest = rest.substring(at + 1);
                if (userInfo.isEmpty()) {
                    userInfo = Optional.of(toBasic(info, redactEntry(trimmed)));
                }
            }
            final String scheme = trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            final String clean = scheme + "://" + stripTrailingSlashes(rest);
            urls.add(toUri(clean, scheme));
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no URL given");
        }
        return new Parsed(urls, userInfo);
    }

    /** {@code text} with every {@code user:pass@} after a {@code ://} replaced by {@code ***@}. */
    public static String redact(String text) {
        return text == null ? "null" : USER_INFO.matcher(text).replaceAll("***@");
    }

    /** One URL entry with everything before its last {@code @} (after any scheme) replaced. */
    private static String redactEntry(String entry) {
        final int at = entry.lastIndexOf('@');
        if (at < 0) {
            return entry;
        }
        final int schemeEnd = entry.indexOf("://");
        final String scheme = schemeEnd >= 0 && schemeEnd < at ? entry.substring(0, schemeEnd + 3) : "";
        return scheme + "***@" + entry.substring(at + 1);
    }

    private static URI toUri(String clean, String scheme) {
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + clean + "' must use http or https");
        }
        final URI uri;
        try {
            uri = new URI(clean);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + clean + "' is not a valid URL: " + e.getReason(), e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("'" + clean + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + clean + "' must not have a query or fragment");
        }
        return uri;
    }

    private static RegistryAuth.Basic toBasic(String info, String redactedEntry) {
        final int colon = info.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("the user info of '" + redactedEntry + "' must be user:password");
        }
        return new RegistryAuth.Basic(
                percentDecode(info.substring(0, colon), redactedEntry),
                percentDecode(info.substring(colon + 1), redactedEntry));
    }

    private static String percentDecode(String text, String redactedEntry) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()
                        || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("the user info of '" + redactedEntry + "' has a bad %-escape");
                }
                out.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else {
                final byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String stripTrailingSlashes(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '/') {
            end--;
        }
        return text.substring(0, end);
    }
}
