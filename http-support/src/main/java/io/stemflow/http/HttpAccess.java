package io.stemflow.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.stemflow.service.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who may call what on a stemflow HTTP service, checked before any route runs, in this order:
 * <ol>
 *   <li><b>Open paths</b> ({@code /health} and the like) pass without any check: probes call them by IP.</li>
 *   <li><b>Host</b>: a {@code Host} header naming a host this service does not know is refused with 421.
 *       A web page that rebinds its own DNS name to 127.0.0.1 (DNS rebinding) sends its own name, so it
 *       fails here. IP literals, {@code localhost}, this machine's name, the names the service is known by
 *       and {@code STEMFLOW_HTTP_ALLOWED_HOSTS} pass ({@code *} turns the check off).</li>
 *   <li><b>Bearer token</b> on the guarded paths (all by default): reads ({@code GET}, {@code HEAD}) need a
 *       {@link Role#VIEWER} token, everything else an {@link Role#OPERATOR} one; 401 without a valid token,
 *       403 with a token of too low a role.</li>
 *   <li><b>JSON-only state changes</b>: {@code POST}, {@code PUT}, {@code PATCH} (and a {@code DELETE} with a
 *       body) must declare one of the accepted media types ({@code application/json} by default), else 415:
 *       a page in a browser can send {@code text/plain} or a form to any address, never JSON without
 *       asking the server first (CORS preflight, which no stemflow service answers).</li>
 * </ol>
 * Every refusal is a JSON error ({@link JsonErrors}); {@link #install} also makes Jetty's own errors JSON.
 * Immutable: each {@code with...} returns a copy.
 */
public final class HttpAccess {

    public static final String ENV_AUTH = "STEMFLOW_HTTP_AUTH";
    public static final String ENV_ALLOWED_HOSTS = "STEMFLOW_HTTP_ALLOWED_HOSTS";
    public static final String ANY_HOST = "*";
    public static final String REALM = "stemflow";
    private static final String ROLE_ATTRIBUTE = "stemflow.role";

    /** Whether bearer tokens are checked. */
    public enum Auth {
        /** Guarded paths need a token (the default). */
        TOKENS,
        /** No token checked (a developer's choice, logged loudly by the service; Host and media checks stay). */
        OFF
    }

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "localhost.localdomain", "ip6-localhost");

    private final Auth auth;
    private final AccessTokens tokens;
    private final Set<String> allowedHosts;
    private final Set<String> openPaths;
    private final List<String> guardedPrefixes;
    private final Set<String> writeMediaTypes;
    private final HeaderCredential headerCredential;

    /**
     * A credential of a service's own, in a header of its own (the emulator's {@code X-Admin-Token}): when the
     * header is present it is checked instead of the bearer token, and grants {@code role}.
     */
    private record HeaderCredential(String header, Role role, Predicate<String> valid) {
    }

    private HttpAccess(final Auth auth, final AccessTokens tokens, final Set<String> allowedHosts,
                       final Set<String> openPaths, final List<String> guardedPrefixes,
                       final Set<String> writeMediaTypes, final HeaderCredential headerCredential) {
        this.auth = auth;
        this.tokens = tokens;
        this.allowedHosts = Set.copyOf(allowedHosts);
        this.openPaths = Set.copyOf(openPaths);
        this.guardedPrefixes = List.copyOf(guardedPrefixes);
        this.writeMediaTypes = Set.copyOf(writeMediaTypes);
        this.headerCredential = headerCredential;
    }

    /** Tokens required on every path but {@code /health}; Host check with the default names only. */
    public static HttpAccess tokens(final AccessTokens tokens) {
        return new HttpAccess(Auth.TOKENS, tokens, defaultHosts(), Set.of("/health"), List.of(),
                Set.of(JsonErrors.JSON), null);
    }

    /** No token checked; Host and media-type checks as usual. */
    public static HttpAccess withoutTokens() {
        return new HttpAccess(Auth.OFF, AccessTokens.none(), defaultHosts(), Set.of("/health"), List.of(),
                Set.of(JsonErrors.JSON), null);
    }

    /**
     * From the settings: {@code STEMFLOW_HTTP_AUTH} ({@code tokens} or {@code off}), the tokens of
     * {@link AccessTokens#read}, {@code STEMFLOW_HTTP_ALLOWED_HOSTS}; {@code ownNames} are the names this
     * service is called by (its bind host, advertised host, public URL's host). With tokens on and none
     * configured, a problem names the settings to set.
     */
    public static HttpAccess read(final Settings settings, final Collection<String> ownNames) {
        return read(settings, ownNames, false);
    }

    /**
     * As {@link #read(Settings, Collection)}; with {@code otherCredential} (a service that also accepts a
     * credential of its own, see {@link #withHeaderCredential}) no bearer token configured is no problem.
     */
    public static HttpAccess read(final Settings settings, final Collection<String> ownNames,
                                  final boolean otherCredential) {
        final Auth auth = settings.choice(ENV_AUTH, Auth.class, Auth.TOKENS);
        final AccessTokens tokens = AccessTokens.read(settings);
        if (auth == Auth.TOKENS && tokens.isEmpty() && !otherCredential) {
            settings.problem("no access token is configured: set " + AccessTokens.ENV_OPERATOR + " and "
                    + AccessTokens.ENV_VIEWER + " (or their _FILE variants), or " + ENV_AUTH
                    + "=off to serve without authentication");
        }
        final List<String> extra = new ArrayList<>(ownNames);
        extra.addAll(allowedHosts(settings));
        final HttpAccess access = auth == Auth.TOKENS ? tokens(tokens) : withoutTokens();
        return access.withHosts(extra);
    }

    /** The names of {@code STEMFLOW_HTTP_ALLOWED_HOSTS} (comma-separated; {@code *}: any), empty when unset. */
    public static List<String> allowedHosts(final Settings settings) {
        final List<String> names = new ArrayList<>();
        settings.optional(ENV_ALLOWED_HOSTS).ifPresent(text -> {
            for (final String part : text.split(",")) {
                if (!part.isBlank()) {
                    names.add(part.strip());
                }
            }
        });
        return names;
    }

    /**
     * The same Host and media-type checks without the token check ({@link Auth#OFF}): for a service that decides
     * at start that its guarded paths have another guard (the emulator's admin API for loopback callers only).
     */
    public HttpAccess withoutTokenCheck() {
        return new HttpAccess(Auth.OFF, AccessTokens.none(), allowedHosts, openPaths, guardedPrefixes, writeMediaTypes,
                headerCredential);
    }

    /** Also accepts these host names (or {@code *}: any). */
    public HttpAccess withHosts(final Collection<String> names) {
        final Set<String> hosts = new LinkedHashSet<>(allowedHosts);
        names.stream().map(HttpAccess::bareHost).flatMap(Optional::stream).forEach(hosts::add);
        return new HttpAccess(auth, tokens, hosts, openPaths, guardedPrefixes, writeMediaTypes, headerCredential);
    }

    /** These exact paths skip every check (health probes). Replaces the default {@code /health}. */
    public HttpAccess withOpenPaths(final String... paths) {
        return new HttpAccess(auth, tokens, allowedHosts, Set.of(paths), guardedPrefixes, writeMediaTypes,
                headerCredential);
    }

    /** These exact paths also skip every check (e.g. a web page's static files, which hold no data). */
    public HttpAccess alsoOpen(final String... paths) {
        final Set<String> open = new LinkedHashSet<>(openPaths);
        open.addAll(List.of(paths));
        return new HttpAccess(auth, tokens, allowedHosts, open, guardedPrefixes, writeMediaTypes, headerCredential);
    }

    /**
     * The role the caller of this request proved, once {@link #check} let it through: the token's role on a guarded
     * path; {@link Role#OPERATOR} when tokens are off (anyone may do anything); empty on an open or unguarded path.
     */
    public Optional<Role> roleOf(final Context ctx) {
        if (auth == Auth.OFF) {
            return Optional.of(Role.OPERATOR);
        }
        return Optional.ofNullable(ctx.attribute(ROLE_ATTRIBUTE));
    }

    /** Tokens are checked only under these path prefixes (e.g. the emulator's {@code /admin}). */
    public HttpAccess guardingOnly(final String... prefixes) {
        return new HttpAccess(auth, tokens, allowedHosts, openPaths, List.of(prefixes), writeMediaTypes,
                headerCredential);
    }

    /**
     * Also accepts, on the guarded paths, a credential of the service's own in {@code header} (the emulator's
     * {@code X-Admin-Token}), as a credential of {@code role}: when the header is present, {@code valid} decides
     * (401 when it says no) and the bearer token is not looked at. Only while tokens are checked.
     */
    public HttpAccess withHeaderCredential(final String header, final Role role, final Predicate<String> valid) {
        return new HttpAccess(auth, tokens, allowedHosts, openPaths, guardedPrefixes, writeMediaTypes,
                new HeaderCredential(header, role, valid));
    }

    /** State changes may also declare these media types (e.g. the registry's own). */
    public HttpAccess acceptingWrites(final String... mediaTypes) {
        final Set<String> types = new LinkedHashSet<>(writeMediaTypes);
        for (final String type : mediaTypes) {
            types.add(type.toLowerCase(Locale.ROOT));
        }
        return new HttpAccess(auth, tokens, allowedHosts, openPaths, guardedPrefixes, types, headerCredential);
    }

    public Auth auth() {
        return auth;
    }

    /** Installs the checks as the first handler of every request, and JSON bodies for Jetty's own errors. */
    public void install(final JavalinConfig config) {
        JsonErrors.install(config);
        config.routes.before(this::check);
    }

    /**
     * Installs only the Host check (and JSON bodies for Jetty's own errors): for a service that checks its
     * callers' credentials and media types itself, as the callback bridge does.
     */
    public void installHostCheck(final JavalinConfig config) {
        JsonErrors.install(config);
        config.routes.before(ctx -> {
            if (!openPaths.contains(ctx.path()) && !hostAllowed(ctx.header("Host"))) {
                refuseHost(ctx);
            }
        });
    }

    /** The checks of one request; answers and stops the request when one fails. */
    public void check(final Context ctx) {
        final String path = ctx.path();
        if (openPaths.contains(path)) {
            return;
        }
        if (!hostAllowed(ctx.header("Host"))) {
            refuseHost(ctx);
            return;
        }
        final HandlerType method = ctx.method();
        if (auth == Auth.TOKENS && guarded(path)) {
            final Role needed = method == HandlerType.GET || method == HandlerType.HEAD ? Role.VIEWER : Role.OPERATOR;
            final String own = headerCredential == null ? null : ctx.header(headerCredential.header());
            final Optional<String> presented = own != null ? Optional.of(own) : bearer(ctx.header("Authorization"));
            if (presented.isEmpty()) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
                JsonErrors.answer(ctx, 401, "unauthorized",
                        "this route needs a bearer token (Authorization: Bearer <token>) of role " + needed.label());
                return;
            }
            final Optional<Role> role = own != null
                    ? Optional.of(headerCredential.role()).filter(r -> headerCredential.valid().test(own))
                    : tokens.roleOf(presented.get());
            if (role.isEmpty()) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"" + REALM + "\", error=\"invalid_token\"");
                JsonErrors.answer(ctx, 401, "invalid_token", own != null
                        ? "the " + headerCredential.header() + " credential is not valid here"
                        : "the bearer token is not valid here");
                return;
            }
            if (!role.get().allows(needed)) {
                JsonErrors.answer(ctx, 403, "forbidden", "this route needs a token of role " + needed.label()
                        + ", the one given is a " + role.get().label() + " token");
                return;
            }
            ctx.attribute(ROLE_ATTRIBUTE, role.get());
        }
        if (changesState(ctx) && !writeMediaTypes.contains(mediaType(ctx.header("Content-Type")))) {
            JsonErrors.answer(ctx, 415, "unsupported_media_type",
                    "a request that changes state must declare Content-Type " + String.join(" or ", writeMediaTypes));
        }
    }

    private static void refuseHost(final Context ctx) {
        JsonErrors.answer(ctx, 421, "misdirected_request",
                "this service does not answer to the host named in the Host header; add the name to "
                        + ENV_ALLOWED_HOSTS + " if it is one of ours");
    }

    private boolean guarded(final String path) {
        return guardedPrefixes.isEmpty() || guardedPrefixes.stream().anyMatch(path::startsWith);
    }

    private static boolean changesState(final Context ctx) {
        final HandlerType method = ctx.method();
        if (method == HandlerType.POST || method == HandlerType.PUT || method == HandlerType.PATCH) {
            return true;
        }
        if (method == HandlerType.DELETE) {
            final String length = ctx.header("Content-Length");
            return ctx.header("Transfer-Encoding") != null || (length != null && !length.strip().equals("0"));
        }
        return false;
    }

    static String mediaType(final String contentType) {
        if (contentType == null) {
            return "";
        }
        final int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive, RFC 6750). */
    static Optional<String> bearer(final String header) {
        if (header == null) {
            return Optional.empty();
        }
        final String value = header.strip();
        if (value.length() <= 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        final String token = value.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    boolean hostAllowed(final String hostHeader) {
        if (allowedHosts.contains(ANY_HOST)) {
            return true;
        }
        final Optional<String> host = bareHost(hostHeader == null ? "" : hostHeader);
        if (host.isEmpty()) {
            return false; // HTTP/1.1 requires Host; a request without one is not from a browser we must trust
        }
        return isIpLiteral(host.get()) || allowedHosts.contains(host.get());
    }

    /** The host of a {@code Host} header or a configured name: lower case, without port or brackets. */
    static Optional<String> bareHost(final String value) {
        String host = value.strip().toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        if (host.equals(ANY_HOST)) {
            return Optional.of(host);
        }
        if (host.startsWith("[")) {
            final int close = host.indexOf(']');
            return close < 0 ? Optional.empty() : Optional.of(host.substring(1, close));
        }
        final int colon = host.indexOf(':');
        if (colon >= 0 && host.indexOf(':', colon + 1) < 0) {
            host = host.substring(0, colon);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.isEmpty() ? Optional.empty() : Optional.of(host);
    }

    /** An IPv4 dotted quad or an IPv6 literal: a browser sends those only when the page's own address is one. */
    static boolean isIpLiteral(final String host) {
        if (host.indexOf(':') >= 0) {
            return host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%');
        }
        final String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (final String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> defaultHosts() {
        return MachineNames.NAMES;
    }

    /** Looked up once per process: the machine's own names may need a (slow) resolver call. */
    private static final class MachineNames {
        private static final Set<String> NAMES = Set.copyOf(lookUp());
    }

    private static Set<String> lookUp() {
        final Set<String> hosts = new LinkedHashSet<>(LOOPBACK_NAMES);
        try {
            final InetAddress self = InetAddress.getLocalHost();
            bareHost(self.getHostName()).ifPresent(hosts::add);
            bareHost(self.getCanonicalHostName()).ifPresent(hosts::add);
        } catch (UnknownHostException e) {
            // no name for this machine: loopback names, IP literals and configured names still pass
        }
        return hosts;
    }

    @Override
    public String toString() {
        return "HttpAccess[auth=" + auth + ", tokens=" + tokens + ", hosts=" + allowedHosts + ", open=" + openPaths
                + ", guarded=" + (guardedPrefixes.isEmpty() ? "all" : guardedPrefixes) + "]";
    }
}
