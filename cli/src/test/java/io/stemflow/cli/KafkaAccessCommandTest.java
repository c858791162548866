package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.localstack.KafkaAccess;
import io.stemflow.localstack.KafkaAccess.Principal;
import io.stemflow.testing.RepositoryFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose deployment's Kafka principals come from the one table ({@link KafkaAccess}): its one-shot runs
 * {@code kafka-access apply}, each stemflow service logs in as its own principal with the password file that
 * docker/init-secrets.sh writes and the one-shot reads.
 */
@Tag("broker") // runs docker/init-secrets.sh (keytool) as a child process
class KafkaAccessCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldGiveEveryServiceItsOwnPrincipalWhenComposeRunsSecured() throws Exception {
        // given
        final String compose = Files.readString(RepositoryFiles.root().resolve("docker-compose.yml"));

        // when: the one-shot's command, and the user and password file of each service
        final Matcher access = Pattern.compile("(?m)^  kafka-access:\\n(?:    .*\\n|\\s*\\n)*?    command: \\[(.*)]$")
                .matcher(compose);
        final Map<String, String> users = new LinkedHashMap<>();
        final Matcher service = Pattern.compile("(?m)^  ([a-z-]+):\\n((?:    .*\\n|\\s*\\n)*)").matcher(compose);
        while (service.find()) {
            final Matcher user = Pattern.compile("STEMFLOW_KAFKA_SASL_USERNAME: (\\S+)\\n\\s*"
                    + "STEMFLOW_KAFKA_SASL_PASSWORD_FILE: /run/secrets/(\\S+)").matcher(service.group(2));
            if (user.find()) {
                users.put(service.group(1), user.group(1) + " " + user.group(2));
            }
        }

        // then
        assertThat(access.find()).as("docker-compose.yml has a kafka-access one-shot").isTrue();
        assertThat(access.group(1)).isEqualTo("\"cli\", \"kafka-access\", \"apply\"");
        assertThat(users).containsExactlyInAnyOrderEntriesOf(Map.of(
                "kafka-access", "admin kafka_admin_password",
                "schema-registry", line(Principal.REGISTRY),
                "bridge", line(Principal.BRIDGE),
                "pipeline", line(Principal.PIPELINE),
                "gateway", line(Principal.GATEWAY),
                "archiver", line(Principal.ARCHIVER)));
    }

    @Test
    void shouldWriteEveryPrincipalsPasswordFileWhenInitSecretsRuns() throws Exception {
        // given
        final ProcessBuilder init = new ProcessBuilder("bash",
                RepositoryFiles.root().resolve("docker/init-secrets.sh").toString()).redirectErrorStream(true);
        init.environment().put("STEMFLOW_SECRETS_DIR", dir.toString());

        // when
        final Process p = init.start();
        p.getOutputStream().close();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        // then: the files the one-shot reads, and the broker's
        assertThat(p.exitValue()).as(out).isZero();
        for (final Principal principal : Principal.values()) {
            assertThat(dir.resolve(KafkaAccessCommand.passwordFileName(principal))).isNotEmptyFile();
        }
        for (final String broker : new String[] {"kafka_jaas", "kafka_admin_properties", "kafka_keystore",
            "kafka_keystore_password", "kafka_certificate", "kafka_admin_password", "kafka_broker_password"}) {
            assertThat(dir.resolve(broker)).isNotEmptyFile();
        }
        assertThat(out).doesNotContain(Files.readString(dir.resolve("kafka_admin_password")).strip());
    }

    @Test
    void shouldNameTheMissingFileWithoutKafkaWhenAPasswordFileIsMissing() throws Exception {
        // given: every file but the bridge's
        for (final Principal principal : Principal.values()) {
            if (principal != Principal.BRIDGE) {
                Files.writeString(dir.resolve(KafkaAccessCommand.passwordFileName(principal)), "secret-" + principal + "\n");
            }
        }
        final StringWriter err = new StringWriter();

        // when
        final int exit = StemflowCli.commandLine().setErr(new PrintWriter(err)).execute("kafka-access", "apply",
                "--passwords-dir", dir.toString(), "--bootstrap-servers", "localhost:1",
                "--stack-file", dir.resolve("none.json").toString());

        // then
        assertThat(exit).isEqualTo(CliException.NOT_CONFIGURED);
        assertThat(err.toString()).contains("stemflow-bridge", "kafka_bridge_password").doesNotContain("secret-");
    }

    @Test
    void shouldPrintTheTableWhenListed() {
        final StringWriter out = new StringWriter();
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).execute("kafka-access", "list");
        assertThat(exit).isZero();
        assertThat(out.toString()).isEqualTo(KafkaAccess.markdown());
    }

    private static String line(final Principal principal) {
        return principal.user() + " " + KafkaAccessCommand.passwordFileName(principal);
    }
}
