package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * batch, account and submit --priority without a stack: help texts, and bad input refused with exit 3
 * before anything connects (no stack is configured here, so a check made after connecting would exit 5).
 */
class ControlCommandsInputTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run cli(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--stack-file", dir.resolve("no-stack.json").toString(),
                "--bootstrap-servers", "127.0.0.1:9", "--registry-url", "http://127.0.0.1:9",
                "--query-url", "http://127.0.0.1:9"));
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs {@code --help}; the text with every run of white space as one space (picocli wraps it). */
    private Run help(final String... args) {
        final StringWriter out = new StringWriter();
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).execute(args);
        return new Run(exit, out.toString().replaceAll("\\s+", " "), "");
    }

    @Test
    void shouldDescribeEachControlCommandAndItsExitCodesWhenAskedForHelp() {
        // when
        final Run batchCancel = help("batch", "cancel", "--help");
        final Run accountPause = help("account", "pause", "--help");
        final Run share = help("account", "share", "--help");
        final Run shares = help("account", "shares", "--help");
        final Run top = help("--help");

        // then
        assertThat(batchCancel.exit()).isZero();
        assertThat(batchCancel.out()).contains("--batch", "--account", "--by", "--reason", "--command-id",
                "--allow-unknown", "stays cancelled", "finish and are charged", "Asks nothing",
                "0 sent and acknowledged", "3 bad input (nothing sent)", "4 the query API does not know the target",
                "5 no stack to talk to");
        assertThat(accountPause.out()).contains("--account", "--command-id", "until resumed");
        assertThat(share.out()).contains("--weight", "--cap=CALLS/DURATION", "--no-cap", "30/10s",
                "weight 1", "keeps the cap it has");
        assertThat(shares.out()).contains("Accounts not listed have weight 1 and no cap");
        assertThat(top.out()).contains("batch", "account");
        assertThat(help("batch", "--help").out()).contains("pause", "resume", "cancel");
    }

    @Test
    void shouldSayBulkIsTheDefaultWhenSubmitIsAskedForHelp() {
        final Run run = help("submit", "--help");
        assertThat(run.out()).contains("--priority=INTERACTIVE|NORMAL|BULK", "default for manifests: BULK",
                "BULK runs go to separation-requests-bulk");
    }

    @Test
    void shouldRefuseBadIdsWithExit3BeforeConnectingWhenControllingABatch() {
        final String[][] bad = {
            {"batch", "pause", "--batch", ""},
            {"batch", "pause", "--batch", "   "},
            {"batch", "pause", "--batch", "b".repeat(201)},
            {"batch", "pause", "--batch", "b1\u0007"},
            {"batch", "resume", "--batch", "b1", "--account", "not an account"},
            {"batch", "cancel", "--batch", "b1", "--command-id", " "},
            {"batch", "cancel", "--batch", "b1", "--command-id", "c".repeat(201)},
            {"batch", "pause", "--batch", "b1", "--by", ""},
            {"batch", "pause", "--batch", "b1", "--reason", "line one\nline two"},
            {"account", "pause", "--account", "a|b"},
            {"account", "cancel", "--account", "a".repeat(65)},
            {"account", "resume", "--account", "a1", "--by", "x\ty"},
        };
        for (final String[] args : bad) {
            final Run run = cli(args);
            assertThat(run.exit()).as(String.join(" ", args) + ": " + run.err()).isEqualTo(CliException.INVALID_INPUT);
            assertThat(run.err()).as(String.join(" ", args)).startsWith("stemflow: --").contains(" must be ");
            assertThat(run.err()).doesNotContain("warning");
        }
    }

    @Test
    void shouldNameTheRuleWhenAnIdIsRefused() {
        assertThat(cli("batch", "pause", "--batch", "b1\u0007").err())
                .contains("--batch must be 1 to 200 characters, not blank, without control characters, was 'b1\\u0007'");
        assertThat(cli("account", "pause", "--account", "a|b").err())
                .contains("--account must be 1 to 64 letters, digits, '.', '_', ':' or '-', was 'a|b'");
    }

    @Test
    void shouldRefuseABadWeightOrCapWithExit3WhenSettingAShare() {
        final String[][] bad = {
            {"--weight", "0"},
            {"--weight", "1001"},
            {"--weight", "-3"},
            {"--weight", "5", "--cap", "0/10s"},
            {"--weight", "5", "--cap", "10/0s"},
            {"--weight", "5", "--cap", "10"},
            {"--weight", "5", "--cap", "ten/10s"},
            {"--weight", "5", "--by", " "},
        };
        for (final String[] options : bad) {
            final List<String> args = new ArrayList<>(List.of("account", "share", "--account", "a1"));
            args.addAll(List.of(options));
            final Run run = cli(args.toArray(String[]::new));
            assertThat(run.exit()).as(args + ": " + run.err()).isEqualTo(CliException.INVALID_INPUT);
        }
        assertThat(cli("account", "share", "--account", "a1", "--weight", "0").err())
                .contains("--weight must be 1 to 1000, was 0");
        assertThat(cli("account", "share", "--account", "a1", "--weight", "2", "--cap", "0/10s").err())
                .contains("--cap must be CALLS/DURATION");
    }

    @Test
    void shouldExitWithUsageCodeWhenCapAndNoCapAreBothGivenOrASubcommandIsMissing() {
        assertThat(cli("account", "share", "--account", "a1", "--weight", "2", "--cap", "1/1s", "--no-cap").exit())
                .isEqualTo(2);
        assertThat(cli("account", "share", "--account", "a1").exit()).as("--weight is required").isEqualTo(2);
        assertThat(cli("batch").exit()).isEqualTo(2);
        assertThat(cli("account").exit()).isEqualTo(2);
        assertThat(cli("batch", "pause").exit()).as("--batch is required").isEqualTo(2);
    }

    @Test
    void shouldRefuseAPriorityOtherThanTheThreeClassesWhenSubmitting() {
        for (final String bad : new String[] {"URGENT", "UNKNOWN", ""}) {
            final Run run = cli("submit", "--manifest", dir.resolve("absent.csv").toString(), "--batch", "b1",
                    "--priority", bad);
            assertThat(run.exit()).as(bad).isEqualTo(CliException.INVALID_INPUT);
            assertThat(run.err()).as(bad).contains("--priority must be INTERACTIVE, NORMAL or BULK");
        }
        assertThat(SubmitCommand.priority("interactive")).isEqualTo(io.stemflow.avro.Priority.INTERACTIVE);
    }
}
