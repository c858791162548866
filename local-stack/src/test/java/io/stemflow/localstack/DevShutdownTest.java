package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.cli.StemflowCli;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code stemflow dev} as a user runs it, in its own JVM with the whole stack (broker and bridge
 * in child processes), stopped by the signal Ctrl-C sends (INT) or the one a service manager sends
 * (TERM): it exits, no process it started is left, every port it opened is closed,
 * {@code stack.json} is gone, and the services stopped in order (no client saw the broker vanish).
 * With {@code --no-demo} the stack stays idle.
 */
class DevShutdownTest {

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void shouldStopEveryProcessAndCloseEveryPortWhenSignalled(final String signal) throws Exception {
        // given a running local stack, idle
        final Path dataDir = Files.createTempDirectory("stemflow-dev-shutdown");
        final Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        final Process dev = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StemflowCli.class.getName(),
                "dev", "--no-demo", "--any-ports", "--data-dir", dataDir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final Path stackFile = dataDir.resolve("stack.json");
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> {
                assertThat(dev.isAlive()).as("stemflow dev is running; its output: %s", Files.readString(log)).isTrue();
                return Files.readString(log).contains("local stack running");
            });
            final StackInfo info = StackInfo.readFrom(stackFile);
            final List<ProcessHandle> started = dev.descendants().toList();
            assertThat(started).as("the broker and the bridge run as child processes").hasSizeGreaterThanOrEqualTo(2);
            final List<InetSocketAddress> ports = ports(info);
            assertThat(ports).allMatch(DevShutdownTest::accepts);

            // when
            new ProcessBuilder("kill", "-" + signal, Long.toString(dev.pid())).start().waitFor(10, TimeUnit.SECONDS);

            // then
            assertThat(dev.waitFor(60, TimeUnit.SECONDS)).as("stemflow dev exited; its output: %s", Files.readString(log))
                    .isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(started).noneMatch(ProcessHandle::isAlive));
            assertThat(ports).noneMatch(DevShutdownTest::accepts);
            assertThat(stackFile).doesNotExist();
            // in order: every client closed before the broker went, so none of them saw it vanish
            final String output = Files.readString(log);
            final String afterSignal = output.substring(output.indexOf("local stack running"));
            assertThat(afterSignal).doesNotContain("could not be established", "disconnected", "ERROR");
            assertThat(output).doesNotContain("stemflow demo:");
        } finally {
            dev.descendants().forEach(ProcessHandle::destroyForcibly);
            dev.destroyForcibly();
        }
    }

    /** The broker's and every HTTP service's address from stack.json. */
    private static List<InetSocketAddress> ports(final StackInfo info) {
        final List<InetSocketAddress> ports = new ArrayList<>();
        final String[] broker = info.bootstrapServers().split(",")[0].split(":");
        ports.add(new InetSocketAddress(broker[0], Integer.parseInt(broker[1])));
        for (final String url : info.services().values()) {
            if (url.startsWith("http")) {
                final URI uri = URI.create(url);
                ports.add(new InetSocketAddress(uri.getHost(), uri.getPort()));
            }
        }
        return ports;
    }

    private static boolean accepts(final InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
