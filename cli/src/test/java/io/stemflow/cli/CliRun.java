package io.stemflow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@code stemflow} command run in-process against a local stack's file: its exit code, output and error output. */
record CliRun(int exit, String out, String err) {

    static CliRun on(final Path stackFile, final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final List<String> all = new ArrayList<>(List.of(args));
        all.add("--stack-file");
        all.add(stackFile.toString());
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return new CliRun(exit, out.toString(), err.toString());
    }
}
