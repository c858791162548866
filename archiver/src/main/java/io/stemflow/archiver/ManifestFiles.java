package io.stemflow.archiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A batch's manifest as files: CSV (RFC 4180: a header row, CRLF line ends, a field quoted when it holds a comma, a
 * quote, CR or LF, quotes doubled) and JSON (an object with the batch, version, counts and an array of entries),
 * both UTF-8. A pure function of its inputs, with no time in it: the same version of a batch gives the same bytes,
 * so writing it again after a crash replaces the files with themselves.
 *
 * @param entries the settled stems, in {@link ManifestEntry#ORDER}
 */
record ManifestFiles(String accountId, String batchId, int version, int jobs, List<ManifestEntry> entries) {

    static final String CSV_TYPE = "text/csv; charset=utf-8";
    static final String JSON_TYPE = "application/json";
    static final List<String> COLUMNS = List.of("requestId", "audioId", "track", "stem", "status", "key", "location",
            "sha256", "size", "contentType", "reason");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    ManifestFiles {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(batchId, "batchId");
        entries = entries.stream().sorted(ManifestEntry.ORDER).toList();
    }

    int archived() {
        return (int) entries.stream().filter(e -> e.status() == ManifestEntry.Status.ARCHIVED).count();
    }

    int failed() {
        return entries.size() - archived();
    }

    long bytes() {
        return entries.stream().filter(e -> e.status() == ManifestEntry.Status.ARCHIVED)
                .mapToLong(ManifestEntry::size).sum();
    }

    byte[] csv() {
        final StringBuilder out = new StringBuilder(128 + entries.size() * 256);
        row(out, COLUMNS);
        for (final ManifestEntry e : entries) {
            final boolean archived = e.status() == ManifestEntry.Status.ARCHIVED;
            row(out, List.of(e.requestId(), e.audioId(), e.track(), e.stem(), status(e), text(e.key()),
                    text(e.location()), text(e.sha256()), archived ? Long.toString(e.size()) : "",
                    text(e.contentType()), text(e.reason())));
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    byte[] json() {
        final ObjectNode root = JSON.createObjectNode();
        root.put("accountId", accountId);
        root.put("batchId", batchId);
        root.put("version", version);
        final ObjectNode counts = root.putObject("counts");
        counts.put("jobs", jobs);
        counts.put("stems", entries.size());
        counts.put("archived", archived());
        counts.put("failed", failed());
        counts.put("bytes", bytes());
        final ArrayNode list = root.putArray("entries");
        for (final ManifestEntry e : entries) {
            final boolean archived = e.status() == ManifestEntry.Status.ARCHIVED;
            final ObjectNode n = list.addObject();
            n.put("requestId", e.requestId());
            n.put("audioId", e.audioId());
            n.put("track", e.track());
            n.put("stem", e.stem());
            n.put("status", status(e));
            n.put("key", e.key());
            n.put("location", e.location());
            n.put("sha256", e.sha256());
            if (archived) {
                n.put("size", e.size());
            } else {
                n.putNull("size");
            }
            n.put("contentType", e.contentType());
            n.put("reason", e.reason());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON manifest of batch " + batchId, e);
        }
    }

    /** SHA-256 (hex) of the CSV: what the list says, whatever the version. */
    String digest() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(csv()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static String status(final ManifestEntry e) {
        return e.status().name().toLowerCase(Locale.ROOT);
    }

    private static String text(final String value) {
        return value == null ? "" : value;
    }

    private static void row(final StringBuilder out, final List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(field(fields.get(i)));
        }
        out.append("\r\n");
    }

    /** One CSV field: as it is, or quoted with its quotes doubled when it holds a comma, a quote, CR or LF. */
    static String field(final String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
