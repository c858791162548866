package io.stemflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code stemflow job REQUEST_ID}: a job's status history and its stems. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Shows a job's status history and stem URLs.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:shown", "4:no such job", "5:no stack to talk to"})
final class JobCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Parameters(index = "0", paramLabel = "REQUEST_ID", description = "The job's requestId.")
    private String requestId;

    @Override
    public Integer call() {
        final JsonNode job = connection.queryClient().get("/jobs", requestId);
        final PrintWriter out = spec.commandLine().getOut();
        out.printf("%s  %s  (account %s, batch %s, %s, attempt %d, provider task %s)%n", job.path("requestId").asText(),
                job.path("state").asText(), job.path("accountId").asText(), job.path("batchId").asText("-"),
                job.path("type").asText(), job.path("attempt").asInt(), job.path("providerTaskId").asText("-"));
        out.println("history:");
        for (final JsonNode h : job.path("history")) {
            out.printf("  %-26s %-12s %s%n", h.path("at").asText(), h.path("state").asText(),
                    h.path("reason").isMissingNode() || h.path("reason").isNull() ? "" : h.path("reason").asText());
        }
        if (job.path("stems").size() > 0) {
            out.println("stems:");
            for (final JsonNode s : job.path("stems")) {
                out.printf("  %-15s %s%n", s.path("stem").asText(), s.path("url").asText());
            }
        }
        out.flush();
        return 0;
    }
}
