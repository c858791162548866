package io.stemflow.archiver.fetch;

import io.stemflow.http.LogText;
import java.net.URI;

/** What of a stem link may reach a log line or an event. */
final class LogSafe {

    private LogSafe() {
    }

    /**
     * The link without its path and query: a stem link is a capability (whoever holds it downloads the stem, and a
     * signed one carries its signature), so only where it points is said.
     */
    static String url(final URI url) {
        return url.getScheme() + "://" + LogText.escape(url.getRawAuthority()) + "/...";
    }
}
