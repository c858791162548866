package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code stemflow dev} as a user runs it, in its own JVM with the whole stack (broker and bridge
 * in child processes), stopped by the signal Ctrl-C sends (INT) or the one a service manager sends
 * (TERM), to the launcher alone or, as a terminal's Ctrl-C or {@code kill -TERM -PGID} does, to
 * its whole process group: it exits well within Streams' 30 s close bound, no process it started
 * is left, every port it opened is closed, {@code stack.json} is gone, and the services stopped in
 * order (no client saw the broker vanish, neither on the console nor in the stack log). With
 * {@code --no-demo} the stack stays idle. Broker-backed: real processes, about 10 s a case.
 */
@Tag("broker")
class DevShutdownTest {

    private static final Duration EXIT_BOUND = Duration.ofSeconds(15);

    @ParameterizedTest(name = "{0} to the {1}")
    @CsvSource({"TERM, launcher", "INT, launcher", "TERM, process group", "INT, process group"})
    void shouldStopEveryProcessInOrderAndCloseEveryPortWhenSignalled(final String signal, final String target)
            throws Exception {
        // given a running local stack, idle, leading a process group of its own as a terminal's foreground job does
        final Path dataDir = Files.createTempDirectory("stemflow-dev-shutdown");
        final boolean group = target.equals("process group");
        try (DevProcess dev = DevProcess.start(dataDir, true, "--no-demo")) {
            dev.awaitRunning();
            final StackInfo info = StackInfo.readFrom(dataDir.resolve("stack.json"));
            final List<ProcessHandle> started = dev.process().descendants().toList();
            assertThat(started).as("the broker and the bridge run as child processes").hasSizeGreaterThanOrEqualTo(2);
            final List<InetSocketAddress> ports = ports(info);
            assertThat(ports).allMatch(DevShutdownTest::accepts);

            // when
            final long signalledAt = System.nanoTime();
            dev.signal(signal, group);

            // then it exits soon, not after a close timeout
            assertThat(dev.process().waitFor(60, TimeUnit.SECONDS)).as("stemflow dev exited; its output: %s",
                    dev.output()).isTrue();
            final Duration took = Duration.ofNanos(System.nanoTime() - signalledAt);
            assertThat(took).as("time from the signal to the exit; output: %s", dev.output()).isLessThan(EXIT_BOUND);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(started).noneMatch(ProcessHandle::isAlive));
            assertThat(ports).noneMatch(DevShutdownTest::accepts);
            assertThat(dataDir.resolve("stack.json")).doesNotExist();
            // in order: every client closed before the broker went, so none of them saw it vanish
            final String output = dev.output();
            final String afterSignal = output.substring(output.indexOf("local stack running"));
            assertThat(afterSignal).doesNotContain("could not be established", "Connection to node", "disconnected",
                    "ERROR", "WARN");
            assertThat(afterSignal).containsSubsequence("Stopping the local stack", "Stopping the provider gateway",
                    "callback bridge stopped", "Schema registry", "Broker");
            final String stackLog = Files.readString(dev.stackLog());
            assertThat(stackLog.substring(stackLog.indexOf("Stopping the local stack")))
                    .as("the stack log after the signal").doesNotContain("could not be established", "Connection to node");
            assertThat(output).doesNotContain("stemflow demo:");
        }
    }

    /** The broker's and every HTTP service's address from stack.json. */
    static List<InetSocketAddress> ports(final StackInfo info) {
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

    static boolean accepts(final InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
