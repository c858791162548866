package io.stemflow.registry.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.stemflow.registry.ErrorCode;
import io.stemflow.registry.RegistryException;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.Role;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call what, checked before any route runs. What a request needs is decided by its method and path alone,
 * so a path no route serves is guarded like the strictest route (an unknown {@code POST} needs an admin, then
 * answers 404):
 * <ul>
 *   <li>{@code GET /}: nothing (the health probe);</li>
 *   <li>other {@code GET} and {@code HEAD}, a lookup ({@code POST /subjects/{subject}}) and a compatibility check
 *       ({@code POST /compatibility/...}): a {@link Role#READER}, or nothing while reads are open;</li>
 *   <li>registering ({@code POST /subjects/{subject}/versions}): a {@link Role#WRITER};</li>
 *   <li>everything else ({@code PUT /config}, every {@code DELETE}, ...): an {@link Role#ADMIN}.</li>
 * </ul>
 * No or wrong credentials: 401 (error code 401) with {@code WWW-Authenticate: Basic realm="stemflow-registry"};
 * a user of too low a role: 403 (40301). Neither message repeats what the client sent.
 */
final class AccessCheck {

    /** The realm of the {@code WWW-Authenticate} challenge. */
    static final String REALM = "stemflow-registry";

    private static final Logger LOG = LoggerFactory.getLogger(AccessCheck.class);
    private static final Pattern LOOKUP = Pattern.compile("/subjects/[^/]+");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/[^/]+/versions(/[^/]+)?");
    private static final Pattern REGISTER = Pattern.compile("/subjects/[^/]+/versions");

    private final RegistryAccess access;

    AccessCheck(final RegistryAccess access) {
        this.access = access;
    }

    /** @throws RegistryException 401 or 403 when the request may not go on */
    void check(final Context ctx) {
        if (!(access instanceof RegistryAccess.Basic basic)) {
            return;
        }
        final Optional<Role> needed = needed(ctx.method(), ctx.path(), basic.openReads());
        if (needed.isEmpty()) {
            return;
        }
        final Optional<Credentials> credentials = Credentials.of(ctx.header("Authorization"));
        if (credentials.isEmpty()) {
            LOG.debug("Refused a {} without credentials (needs {})", ctx.method(), needed.get().label());
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "Unauthorized: this operation needs the credentials "
                    + "of a registry user with role " + needed.get().label() + " (HTTP basic)");
        }
        final Optional<Role> role = basic.users().authenticate(credentials.get().user(), credentials.get().password());
        if (role.isEmpty()) {
            LOG.warn("Refused a {} with wrong registry credentials", ctx.method());
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "Unauthorized: unknown user or wrong password");
        }
        if (!role.get().allows(needed.get())) {
            LOG.warn("Refused a {} to a registry user of role {} (needs {})", ctx.method(), role.get().label(),
                    needed.get().label());
            throw new RegistryException(ErrorCode.FORBIDDEN, "Forbidden: this operation needs role "
                    + needed.get().label() + ", the user has role " + role.get().label());
        }
    }

    /** The role a request needs; empty when it needs none. */
    static Optional<Role> needed(final HandlerType method, final String path, final boolean openReads) {
        final Optional<Role> read = openReads ? Optional.empty() : Optional.of(Role.READER);
        if (method == HandlerType.GET || method == HandlerType.HEAD) {
            return "/".equals(path) ? Optional.empty() : read;
        }
        if (method == HandlerType.POST && plain(path)) {
            if (LOOKUP.matcher(path).matches() || COMPATIBILITY.matcher(path).matches()) {
                return read;
            }
            if (REGISTER.matcher(path).matches()) {
                return Optional.of(Role.WRITER);
            }
        }
        return Optional.of(Role.ADMIN);
    }

    /** A path without dot segments, encoded dots or path parameters, whose shape says which route serves it. */
    private static boolean plain(final String path) {
        final String lower = path.toLowerCase(Locale.ROOT);
        return !lower.contains("/.") && !lower.contains("%2e") && !lower.contains(";") && !lower.contains("%2f")
                && !lower.contains("%5c") && !lower.contains("\\");
    }

    /** The user and password of an {@code Authorization: Basic ...} header. */
    private record Credentials(String user, String password) {

        static Optional<Credentials> of(final String header) {
            if (header == null) {
                return Optional.empty();
            }
            final String value = header.strip();
            if (value.length() <= 6 || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            final String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            final int colon = decoded.indexOf(':');
            return colon <= 0 ? Optional.empty()
                    : Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return "Credentials[hidden]";
        }
    }
}
