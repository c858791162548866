package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The probe of issue 16: {@code stemflow --help} and {@code stemflow dev --help} broke their descriptions in the
 * middle of sentences, because one sentence was split over several description lines, and picocli starts a new line
 * for each (and shows only the first in the list of commands). Each description line must be whole sentences.
 */
class HelpTextTest {

    private static final Pattern WHOLE = Pattern.compile(".*[.:!?)]$");

    @Test
    void shouldWriteEveryDescriptionLineAsWholeSentencesWhenAnyCommandIsDescribed() {
        // given
        final List<String> cut = new ArrayList<>();
        // when
        visit(StemflowCli.commandLine(), cut);
        // then
        assertThat(cut).as("description lines that stop mid-sentence").isEmpty();
    }

    @Test
    void shouldShowEachCommandsSummaryAsASentenceWhenTheCommandsAreListed() {
        // given
        final StringWriter out = new StringWriter();
        final CommandLine cli = StemflowCli.commandLine().setOut(new PrintWriter(out));
        cli.setUsageHelpAutoWidth(false);
        cli.setUsageHelpWidth(200);
        // when
        cli.execute("--help");
        // then: every line of the command list ends a sentence
        final String commands = out.toString().substring(out.toString().indexOf("Commands:"));
        assertThat(commands.lines().skip(1).filter(line -> !line.isBlank()))
                .isNotEmpty().allSatisfy(line -> assertThat(line.strip()).matches(WHOLE));
    }

    private static void visit(final CommandLine command, final List<String> cut) {
        for (final String line : command.getCommandSpec().usageMessage().description()) {
            if (!WHOLE.matcher(line.replace("%n", "").strip()).matches()) { // %n: picocli's own line break
                cut.add(command.getCommandSpec().qualifiedName() + ": " + line);
            }
        }
        command.getSubcommands().values().forEach(sub -> visit(sub, cut));
    }
}
