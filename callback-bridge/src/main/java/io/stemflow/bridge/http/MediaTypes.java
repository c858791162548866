package io.stemflow.bridge.http;

import java.util.Locale;

/** Content-type checks of callback requests. */
final class MediaTypes {

    static final String JSON = "application/json";

    private MediaTypes() {
    }

    /**
     * True for {@code application/json}, in any case, with or without parameters, as long as a
     * {@code charset} parameter (if any) is UTF-8: JSON exchanged between systems is UTF-8 (RFC 8259).
     */
    static boolean isJson(final String contentType) {
        if (contentType == null) {
            return false;
        }
        final String[] parts = contentType.split(";");
        if (!JSON.equals(parts[0].trim().toLowerCase(Locale.ROOT))) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            final String[] parameter = parts[i].split("=", 2);
            if ("charset".equals(parameter[0].trim().toLowerCase(Locale.ROOT))) {
                final String charset = parameter.length < 2 ? "" : parameter[1].trim().replace("\"", "");
                if (!"utf-8".equalsIgnoreCase(charset) && !"utf8".equalsIgnoreCase(charset)) {
                    return false;
                }
            }
        }
        return true;
    }
}
