package io.stemflow.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JVMs of a running local stack on this machine: its launcher (the pipeline, gateway, schema registry and
 * provider emulator run there) and the services it started as child JVMs, named by their main class. The broker's
 * processes are Kafka's, not stemflow's, and are left out.
 */
public final class LocalProcesses {

    private static final String CHILD_MAIN = "io.stemflow.localstack.ChildMain";

    private LocalProcesses() {
    }

    /** By name: the launcher, then each child JVM; empty when the launcher is not running here. */
    public static Map<String, Long> of(final long launcherPid) {
        final Map<String, Long> processes = new LinkedHashMap<>();
        final Optional<ProcessHandle> launcher = ProcessHandle.of(launcherPid).filter(ProcessHandle::isAlive);
        if (launcher.isEmpty()) {
            return processes;
        }
        if (launcherPid != ProcessHandle.current().pid()) { // else the stack runs in this JVM: not measured apart
            processes.put("local stack (pipeline, gateway, registry, emulator)", launcherPid);
        }
        launcher.get().descendants().forEach(p -> mainClass(p).filter(main -> !main.contains(".kafka."))
                .ifPresent(main -> processes.put(main.substring(main.lastIndexOf('.') + 1), p.pid())));
        return processes;
    }

    /** From {@code /proc/<pid>/cmdline}: ProcessHandle's arguments are cut short for a long class path. */
    private static Optional<String> mainClass(final ProcessHandle process) {
        final List<String> args;
        try {
            args = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                    StandardCharsets.UTF_8).split("\u0000"));
        } catch (IOException | UncheckedIOException gone) {
            return Optional.empty();
        }
        final int at = args.indexOf(CHILD_MAIN);
        return at >= 0 && at + 1 < args.size() ? Optional.of(args.get(at + 1)) : Optional.empty();
    }
}
