package io.stemflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's own files, for tests that check scripts and documents against the code. */
public final class RepositoryFiles {

    private RepositoryFiles() {
    }

    /** The repository root: the first directory above the working directory with README.md and docker/. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docker")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no repository root (README.md and docker/) above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
