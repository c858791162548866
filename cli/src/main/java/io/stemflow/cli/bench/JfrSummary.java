package io.stemflow.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples ({@code jdk.ExecutionSample}) went: by thread (stream threads, the producers'
 * network threads, ...), and, for the stream threads, by the part of the code at the top of each stack (the first
 * frame, from the top, outside the JDK: a JDK method counts for the library that called it, so a HashMap lookup made
 * by Jackson counts for JSON) and by the top method itself.
 */
record JfrSummary(long samples, Map<String, Long> byThread, long streamSamples, Map<String, Long> byPart,
                  Map<String, Long> byMethod) {

    /** Parts of the code, tried in this order against each frame from the top of the stack. */
    private static final List<Map.Entry<String, String>> PARTS = List.of(
            Map.entry("org.rocksdb.", "RocksDB"),
            Map.entry("com.fasterxml.jackson.", "JSON (Jackson): internal values"),
            Map.entry("org.apache.avro.", "Avro"),
            Map.entry("io.stemflow.serde.", "Avro serde and registry client"),
            Map.entry("org.apache.kafka.common.metrics.", "Kafka metrics"),
            Map.entry("org.apache.kafka.streams.processor.internals.metrics.", "Kafka metrics"),
            Map.entry("net.jpountz.lz4.", "compression"),
            Map.entry("com.github.luben.zstd.", "compression"),
            Map.entry("org.xerial.snappy.", "compression"),
            Map.entry("java.util.zip.", "checksums and compression"),
            Map.entry("org.apache.kafka.common.utils.Crc32C", "checksums and compression"),
            Map.entry("org.apache.kafka.clients.producer.internals.TransactionManager", "transactions"),
            Map.entry("org.apache.kafka.clients.producer.", "producer send"),
            Map.entry("org.apache.kafka.clients.consumer.", "consumer fetch and poll"),
            Map.entry("org.apache.kafka.common.record.", "record batches"),
            Map.entry("org.apache.kafka.common.network.", "network"),
            Map.entry("org.apache.kafka.common.requests.", "network"),
            Map.entry("org.apache.kafka.common.protocol.", "network"),
            Map.entry("org.apache.kafka.streams.state.", "Kafka Streams stores (caching, changelogging)"),
            Map.entry("org.apache.kafka.streams.", "Kafka Streams runtime"),
            Map.entry("io.stemflow.pipeline.topology.", "stemflow topology"),
            Map.entry("io.stemflow.", "stemflow other"),
            Map.entry("org.slf4j.", "logging"),
            Map.entry("ch.qos.logback.", "logging"),
            Map.entry("org.apache.logging.", "logging"));

    static JfrSummary read(final Path file) {
        long samples = 0;
        long stream = 0;
        final Map<String, Long> threads = new HashMap<>();
        final Map<String, Long> parts = new HashMap<>();
        final Map<String, Long> methods = new HashMap<>();
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                final RecordedEvent event = recording.readEvent();
                if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
                    continue;
                }
                samples++;
                final RecordedThread thread = event.getThread("sampledThread");
                final String group = threadGroup(thread == null ? null : thread.getJavaName());
                threads.merge(group, 1L, Long::sum);
                final RecordedStackTrace stack = event.getStackTrace();
                if (!group.equals(STREAM_THREADS) || stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                stream++;
                final List<RecordedFrame> frames = stack.getFrames();
                parts.merge(partOf(frames), 1L, Long::sum);
                final RecordedFrame top = frames.get(0);
                methods.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1L, Long::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the JFR recording " + file, e);
        }
        return new JfrSummary(samples, threads, stream, parts, methods);
    }

    static final String STREAM_THREADS = "Kafka Streams threads";

    private static String threadGroup(final String name) {
        if (name == null) {
            return "other";
        }
        if (name.contains("StreamThread")) {
            return name.contains("producer") ? "producers' network threads" : STREAM_THREADS;
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producers' network threads";
        }
        if (name.contains("heartbeat") || name.contains("consumer")) {
            return "consumers' background threads";
        }
        if (name.contains("jetty") || name.contains("qtp") || name.contains("javalin") || name.contains("HttpServer")) {
            return "query API (HTTP)";
        }
        return "other";
    }

    private static String partOf(final List<RecordedFrame> frames) {
        for (final RecordedFrame frame : frames) {
            final String type = frame.getMethod().getType().getName();
            if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")) {
                continue;
            }
            for (final Map.Entry<String, String> part : PARTS) {
                if (type.startsWith(part.getKey())) {
                    return part.getValue();
                }
            }
            return "other libraries";
        }
        return "JDK alone";
    }

    /** The summary as lines for the benchmark's report, each share of the samples in percent. */
    String text(final String part, final Path file) {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "profile of the pipeline during %s (%s): %,d CPU samples; by thread: %s%n",
                part, file, samples, shares(byThread, samples, 6)));
        if (streamSamples > 0) {
            b.append(String.format(Locale.ROOT, "  stream threads' samples (%,d) by the code at the top of the stack:"
                    + " %s%n", streamSamples, shares(byPart, streamSamples, 10)));
            b.append(String.format(Locale.ROOT, "  their top methods: %s%n", shares(byMethod, streamSamples, 8)));
        }
        return b.toString();
    }

    private static String shares(final Map<String, Long> counts, final long total, final int limit) {
        return String.join(", ", counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .map(e -> String.format(Locale.ROOT, "%s %.1f%%", e.getKey(), 100.0 * e.getValue() / total))
                .toList());
    }
}
