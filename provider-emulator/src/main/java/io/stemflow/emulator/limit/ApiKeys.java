package io.stemflow.emulator.limit;

import io.stemflow.service.Secret;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The accepted API keys. Callers are identified by the key's {@link Secret#id()}, never by the key itself, so
 * ids can appear in counters, logs and the admin API.
 */
public final class ApiKeys {

    private static final String BEARER = "bearer ";

    private final List<Secret> keys;

    public ApiKeys(final List<Secret> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Key id of the {@code Authorization: Bearer <key>} header's key, empty when missing or not accepted. */
    public Optional<String> authenticate(final String authorizationHeader) {
        if (authorizationHeader == null
                || !authorizationHeader.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return Optional.empty();
        }
        final String candidate = authorizationHeader.substring(BEARER.length()).trim();
        Optional<String> match = Optional.empty();
        for (final Secret key : keys) {
            // every key is compared (constant-time each), so the answer time does not tell which one matched
            if (key.matches(candidate)) {
                match = Optional.of(key.id());
            }
        }
        return match;
    }

    /** The id of an API key given in clear (admin API, Java control), empty when it is not an accepted key. */
    public Optional<String> idOf(final String apiKey) {
        return keys.stream().filter(k -> k.matches(apiKey)).map(Secret::id).findFirst();
    }

    public boolean hasId(final String keyId) {
        return keys.stream().anyMatch(k -> k.id().equals(keyId));
    }

    public List<String> ids() {
        return keys.stream().map(Secret::id).toList();
    }
}
