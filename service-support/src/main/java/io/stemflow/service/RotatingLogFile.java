package io.stemflow.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log file that never grows past {@code maxBytes}: before a write would take it past, {@code name}
 * becomes {@code name.1}, {@code name.1} becomes {@code name.2} and so on up to {@code name.<keep>},
 * the oldest dropped. So a child's output takes at most {@code (keep + 1) × maxBytes} on disk
 * however long the stack runs (the policy of {@code stack.log}: 20 MB, 3 old files). Files are
 * owner-only where the file system has POSIX permissions. Used for what the local stack's children
 * write to stdout and stderr: {@link #pump} copies a stream into it on a thread of its own.
 *
 * <p>Invariants: every byte read is written, in order; a file holds at most {@code maxBytes} plus the
 * end of the line that was being written when the limit was reached, and starts with a whole line
 * (a single write larger than {@code maxBytes} is not split further). Thread-safe.
 */
public final class RotatingLogFile implements AutoCloseable {

    /** The size at which a child's log file is rotated. */
    public static final long MAX_BYTES = 20L * 1024 * 1024;
    /** Old files kept besides the current one. */
    public static final int KEEP = 3;

    private static final Logger LOG = LoggerFactory.getLogger(RotatingLogFile.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    public RotatingLogFile(final Path file, final long maxBytes, final int keep) {
        if (maxBytes < 1 || keep < 1) {
            throw new IllegalArgumentException("maxBytes and keep must be positive, were " + maxBytes + " and " + keep);
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the log file " + file, e);
        }
    }

    /**
     * Copies {@code in} into a rotating {@code file} until its end, on a daemon thread named after
     * {@code name}; the file is closed at the end of the stream.
     */
    public static Thread pump(final String name, final InputStream in, final Path file, final long maxBytes,
                              final int keep) {
        final RotatingLogFile log = new RotatingLogFile(file, maxBytes, keep);
        final Thread thread = new Thread(() -> {
            final byte[] buffer = new byte[8192];
            try (log; in) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    log.write(buffer, 0, read);
                }
            } catch (IOException e) {
                LOG.warn("Output of {} no longer copied to {}: {}", name, file, e.toString());
            }
        }, name + "-log");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * This file as a stream, for a process to point its own {@code System.out} and {@code System.err} at (the
     * embedded broker does: its output then rotates even after the process that started it is gone).
     */
    public OutputStream asStream() {
        return new OutputStream() {
            @Override
            public void write(final int b) throws IOException {
                RotatingLogFile.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(final byte[] bytes, final int offset, final int length) throws IOException {
                RotatingLogFile.this.write(bytes, offset, length);
            }
        };
    }

    /**
     * Appends {@code length} bytes. When they would take the file past {@code maxBytes}, the line in progress
     * is finished in the current file first (up to the first newline of these bytes, if any), then the file is
     * rotated, so that a file starts with a whole line.
     */
    public synchronized void write(final byte[] bytes, final int offset, final int length) throws IOException {
        int start = offset;
        int left = length;
        if (size > 0 && size + left > maxBytes) {
            final int endOfLine = indexOf(bytes, (byte) '\n', start, left);
            if (endOfLine >= 0) {
                final int head = endOfLine - start + 1;
                append(bytes, start, head);
                start += head;
                left -= head;
            }
            rotate();
        }
        if (left > 0) {
            append(bytes, start, left);
        }
    }

    private void append(final byte[] bytes, final int offset, final int length) throws IOException {
        out.write(bytes, offset, length);
        out.flush();
        size += length;
    }

    private static int indexOf(final byte[] bytes, final byte wanted, final int offset, final int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private void open() throws IOException {
        if (POSIX && !Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    private Path numbered(final int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
