package io.stemflow.cli.manifest;

import io.stemflow.schemas.AccountIds;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.SeparationType;
import io.stemflow.schemas.provider.ProviderVocabulary;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A back-catalogue manifest, CSV (with a header) or JSON Lines, read and validated as a whole:
 * every bad row is reported with its line number and reason. Columns / fields: {@code taskId},
 * {@code audioId} (required), {@code type} ({@code separate_vocal}|{@code split_stem}, or the
 * command's default), {@code account} (or the command's default); in CSV every other column is a
 * label, in JSON Lines the {@code labels} object.
 */
public final class Manifest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ID = 200;

    /** A row that cannot be submitted, and why. */
    public record Problem(int line, String reason) {
        @Override
        public String toString() {
            return "line " + line + ": " + reason;
        }
    }

    /** The valid rows and the problems of the rest. */
    public record Result(List<ManifestRow> rows, List<Problem> problems) {
    }

    private Manifest() {
    }

    public static Result read(final Path file, final SeparationType defaultType, final String defaultAccount)
            throws IOException {
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        final boolean jsonLines = name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json");
        final List<ManifestRow> rows = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        final Map<String, Integer> seen = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            List<String> header = null;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                final Map<String, String> fields;
                final Map<String, String> labels = new LinkedHashMap<>();
                if (jsonLines) {
                    try {
                        fields = jsonFields(JSON.readTree(line), labels);
                    } catch (JsonProcessingException | IllegalArgumentException e) {
                        problems.add(new Problem(number, "not a JSON object: " + e.getMessage().lines().findFirst().orElse("")));
                        continue;
                    }
                } else {
                    final List<String> cells = Csv.split(line);
                    if (header == null) {
                        header = cells.stream().map(String::strip).toList();
                        if (!header.contains("taskId") || !header.contains("audioId")) {
                            problems.add(new Problem(number, "the CSV header must name taskId and audioId, was " + header));
                            return new Result(List.of(), problems);
                        }
                        continue;
                    }
                    if (cells.size() != header.size()) {
                        problems.add(new Problem(number, "has " + cells.size() + " columns, the header has " + header.size()));
                        continue;
                    }
                    fields = new HashMap<>();
                    for (int i = 0; i < header.size(); i++) {
                        final String column = header.get(i);
                        final String value = cells.get(i).strip();
                        if (List.of("taskId", "audioId", "type", "account").contains(column)) {
                            fields.put(column, value);
                        } else if (!value.isEmpty()) {
                            labels.put(column, value);
                        }
                    }
                }
                final Optional<Problem> problem = validate(number, fields, labels, defaultType, defaultAccount, seen);
                if (problem.isPresent()) {
                    problems.add(problem.get());
                } else {
                    rows.add(row(number, fields, labels, defaultType, defaultAccount));
                }
            }
        }
        return new Result(rows, problems);
    }

    /**
     * The requestId of a row: derived from (batch, taskId, audioId, type), so submitting the same
     * manifest again produces the same ids, which stemflow admits only once.
     */
    public static String requestId(final String batchId, final ManifestRow row) {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            final byte[] digest = sha.digest(String.join("\u0000", batchId, row.taskId(), row.audioId(),
                    row.type().name()).getBytes(StandardCharsets.UTF_8));
            return batchId + "-" + HexFormat.of().formatHex(digest, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static Map<String, String> jsonFields(final JsonNode node, final Map<String, String> labels) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected an object");
        }
        final Map<String, String> fields = new HashMap<>();
        for (final String key : List.of("taskId", "audioId", "type", "account")) {
            final JsonNode v = node.get(key);
            if (v != null && !v.isNull()) {
                if (!v.isTextual()) {
                    throw new IllegalArgumentException(key + " must be a string");
                }
                fields.put(key, v.asText());
            }
        }
        final JsonNode l = node.get("labels");
        if (l != null && l.isObject()) {
            l.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        }
        return fields;
    }

    private static Optional<Problem> validate(final int line, final Map<String, String> f, final Map<String, String> labels,
                                              final SeparationType defaultType, final String defaultAccount,
                                              final Map<String, Integer> seen) {
        final String taskId = f.getOrDefault("taskId", "");
        final String audioId = f.getOrDefault("audioId", "");
        if (taskId.isBlank()) {
            return Optional.of(new Problem(line, "taskId is missing"));
        }
        if (audioId.isBlank()) {
            return Optional.of(new Problem(line, "audioId is missing"));
        }
        if (taskId.length() > MAX_ID || audioId.length() > MAX_ID
                || (taskId + audioId).chars().anyMatch(Character::isISOControl)) {
            return Optional.of(new Problem(line, "taskId and audioId must have 1 to " + MAX_ID + " characters and no control characters"));
        }
        final String type = f.get("type");
        if ((type == null || type.isBlank()) && defaultType == null) {
            return Optional.of(new Problem(line, "type is missing and no --type was given"));
        }
        if (type != null && !type.isBlank() && ProviderVocabulary.typeOf(type.strip().toLowerCase(Locale.ROOT)).isEmpty()) {
            return Optional.of(new Problem(line, "type '" + type + "' is not separate_vocal or split_stem"));
        }
        final String account = f.getOrDefault("account", "").isBlank() ? defaultAccount : f.get("account");
        if (account == null || account.isBlank()) {
            return Optional.of(new Problem(line, "account is missing and no --account was given"));
        }
        if (!AccountIds.isValid(account)) {
            return Optional.of(new Problem(line, "account '" + account + "' must be " + AccountIds.RULE));
        }
        final String key = taskId + "\u0000" + audioId + "\u0000" + typeOf(type, defaultType);
        final Integer earlier = seen.putIfAbsent(key, line);
        if (earlier != null) {
            return Optional.of(new Problem(line, "same taskId, audioId and type as line " + earlier));
        }
        return Optional.empty();
    }

    private static ManifestRow row(final int line, final Map<String, String> f, final Map<String, String> labels,
                                   final SeparationType defaultType, final String defaultAccount) {
        final String account = f.getOrDefault("account", "").isBlank() ? defaultAccount : f.get("account");
        return new ManifestRow(line, f.get("taskId").strip(), f.get("audioId").strip(), typeOf(f.get("type"), defaultType),
                account.strip(), Map.copyOf(labels));
    }

    private static SeparationType typeOf(final String type, final SeparationType defaultType) {
        return type == null || type.isBlank() ? defaultType
                : ProviderVocabulary.typeOf(type.strip().toLowerCase(Locale.ROOT)).orElseThrow();
    }
}
