package io.stemflow.http;

import io.stemflow.service.Settings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer tokens an HTTP service accepts, each with its {@link Role}. Several tokens per role, so a
 * token is rotated by adding the new one, moving the clients, then removing the old one.
 *
 * <p>Read from {@code STEMFLOW_VIEWER_TOKENS} and {@code STEMFLOW_OPERATOR_TOKENS} (comma-separated), or
 * their {@code _FILE} variants (one token per line, {@code #} comments). Only SHA-256 digests are kept,
 * compared in constant time; {@link #toString()} shows counts, never a token.
 */
public final class AccessTokens {

    public static final String ENV_VIEWER = "STEMFLOW_VIEWER_TOKENS";
    public static final String ENV_OPERATOR = "STEMFLOW_OPERATOR_TOKENS";
    /** Shortest token accepted: a guessable token is refused at start. */
    public static final int MIN_LENGTH = 16;

    private final Map<Role, List<byte[]>> digests;

    private AccessTokens(final Map<Role, List<byte[]>> digests) {
        this.digests = digests;
    }

    /** No token at all: with authentication on, every guarded route answers 401. */
    public static AccessTokens none() {
        return new AccessTokens(new EnumMap<>(Role.class));
    }

    /** The given tokens (tests, the local stack). */
    public static AccessTokens of(final Map<Role, ? extends List<String>> tokens) {
        final Map<Role, List<byte[]>> digests = new EnumMap<>(Role.class);
        tokens.forEach((role, values) -> values.forEach(token -> {
            if (token.length() < MIN_LENGTH) {
                throw new IllegalArgumentException("a " + role.label() + " token is shorter than " + MIN_LENGTH
                        + " characters");
            }
            digests.computeIfAbsent(role, r -> new ArrayList<>()).add(digest(token));
        }));
        return new AccessTokens(digests);
    }

    /** Both roles' tokens from the settings; problems (too short, unreadable file) are the settings' problems. */
    public static AccessTokens read(final Settings settings) {
        final Map<Role, List<String>> tokens = new EnumMap<>(Role.class);
        tokens.put(Role.VIEWER, settings.secretTexts(ENV_VIEWER));
        tokens.put(Role.OPERATOR, settings.secretTexts(ENV_OPERATOR));
        for (final Map.Entry<Role, List<String>> entry : tokens.entrySet()) {
            if (entry.getValue().stream().anyMatch(token -> token.length() < MIN_LENGTH)) {
                settings.problem((entry.getKey() == Role.VIEWER ? ENV_VIEWER : ENV_OPERATOR)
                        + " holds a token shorter than " + MIN_LENGTH + " characters");
                entry.setValue(List.of());
            }
        }
        return of(tokens);
    }

    /** The role of {@code token}, if it is one of ours (the highest, should one token be listed twice). */
    public Optional<Role> roleOf(final String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        final byte[] presented = digest(token);
        Role found = null;
        for (final Role role : Role.values()) {
            for (final byte[] known : digests.getOrDefault(role, List.of())) {
                if (MessageDigest.isEqual(known, presented)) {
                    found = role; // no early exit: the time taken does not depend on which token matched
                }
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean isEmpty() {
        return digests.values().stream().allMatch(List::isEmpty);
    }

    private static byte[] digest(final String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "AccessTokens[viewer=" + digests.getOrDefault(Role.VIEWER, List.of()).size() + ", operator="
                + digests.getOrDefault(Role.OPERATOR, List.of()).size() + "]";
    }
}
