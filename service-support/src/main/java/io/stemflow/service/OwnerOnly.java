package io.stemflow.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories only their owner can read: directories {@code 0700}, files {@code 0600}. A data
 * directory made owner-only keeps everything below it (the broker's logs, the state stores, secrets, logs)
 * out of other users' reach, whatever mode the files inside are created with. On a file system without
 * POSIX permissions these are plain creates and writes.
 */
public final class OwnerOnly {

    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /** Creates {@code dir} (and missing parents) as 0700, or narrows an existing one to 0700; returns it. */
    public static Path directory(final Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                final Path parent = dir.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createDirectory(dir, attribute(DIRECTORY));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectory(dir);
                } catch (FileAlreadyExistsException raced) {
                    // made meanwhile by another process: narrowed below
                }
            }
            narrow(dir, DIRECTORY);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the owner-only directory " + dir, e);
        }
    }

    /** Narrows an existing file to 0600. */
    public static void file(final Path file) {
        try {
            narrow(file, FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make " + file + " owner-only", e);
        }
    }

    /**
     * Writes {@code text} to {@code file} atomically (a 0600 temporary file moved into place): a reader never
     * sees half a file, and the file is never readable by others, not even for a moment.
     */
    public static void writeString(final Path file, final String text) {
        try {
            final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, attribute(FILE));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static void narrow(final Path path, final Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException notPosix) {
            // best effort on non-POSIX file systems
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(final Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
