package io.stemflow.cli;

import io.stemflow.emulator.EmulatorControl;
import io.stemflow.emulator.EmulatorCounters;
import io.stemflow.emulator.FaultShares;
import io.stemflow.gateway.GatewayConfig;
import io.stemflow.http.AccessTokens;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.localstack.ChildProcess;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackInfo;
import io.stemflow.localstack.StackPorts;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.serde.registry.RegistryConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chaos run of issue 17 (item 3): N jobs through the whole local stack while the provider emulator injects
 * 10% duplicate callbacks, 1% lost callbacks, 5% server errors (500), three 430 bursts and one maintenance window
 * (455), and the harness kills (SIGKILL) a pipeline instance, the active gateway and the callback bridge twice each
 * and restarts the broker once (SIGKILL, then started again on the same data directory and port); then
 * {@code stemflow audit}. Verdict: every job COMPLETED (task failures are not injected) and the audit exits 0.
 *
 * <p>What runs: the local stack with its pipeline (broker and registry, the emulator, the pipeline in the stack's
 * JVM, the bridge and gateway instance 0 as children the stack restarts by itself), plus a second pipeline instance
 * ({@code PipelineMain}, its own state directory: it holds about half of the Streams tasks) and a second gateway
 * instance ({@code GatewayMain}, instance 1) as child processes of the harness. One gateway is active per provider
 * key, the other a hot standby: each gateway SIGKILL hits whichever is active at that moment (read from its
 * {@code stemflow_gateway_active} gauge), and the report says which it was and how long until one was active again.
 * The pipeline SIGKILLs hit the second instance (the one in the stack's JVM cannot be killed without killing the
 * harness). The harness starts a killed child of its own again at once (as a supervisor would); the stack restarts
 * its own.
 *
 * <p>Events are placed by progress (the emulator's accepted tasks as a share of the jobs), never by sleeping: each
 * waits for its point, is done, and waits until what it killed is back. Figures are printed as a report.
 *
 * <pre>
 *   bench/chaos.sh --jobs 20000            (the full size; options below)
 *   --jobs N --seed S --limit CALLS --window DURATION --deadline MINUTES --data-dir DIR --partitions P
 *   --maintenance DURATION --burst DURATION       (the CI size: --jobs 1000 --maintenance 8s --burst 4s)
 * </pre>
 */
public final class ChaosRun {

    /** Terminal states of a job (JobState): no job leaves them by itself. */
    private static final List<String> TERMINAL = List.of("COMPLETED", "FAILED", "TIMED_OUT", "CANCELLED");
    private static final String ACCOUNT = "chaos";
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern STATUS = Pattern.compile("batch \\S+: (\\d+) jobs \\|(.*)");

    /**
     * One run's settings.
     *
     * @param jobs        jobs submitted in one batch (separate_vocal, 10 credits each)
     * @param seed        the emulator's seed (its task ids and faults)
     * @param limit       the provider's calls per window (emulator and gateways)
     * @param window      the provider's sliding window
     * @param maintenance length of the maintenance window (455)
     * @param burst       length of each 430 burst
     * @param deadline    how long the whole run may take before it is given up
     */
    public record Settings(int jobs, long seed, int limit, Duration window, Duration maintenance, Duration burst,
                           Duration deadline, Path dataDir, int partitions) {

        /** The CI size: a fast provider window (20 calls per 1 s instead of per 10 s). */
        public static Settings ci(final Path dataDir, final int jobs) {
            return new Settings(jobs, 20_261_206L, 20, Duration.ofSeconds(1), Duration.ofSeconds(8),
                    Duration.ofSeconds(4), Duration.ofMinutes(12), dataDir, 6);
        }
    }

    /** One chaos event: what, at which progress, when (seconds from the submission), and what it found. */
    public record Event(String what, int progressPercent, double atSeconds, String note) {
    }

    /**
     * What a run saw.
     *
     * @param states       jobs by state at the end
     * @param drainSeconds from the end of the submission to every job terminal (or the deadline)
     */
    public record Report(Settings settings, Map<String, Long> states, long total, List<Event> events,
                         double submitSeconds, double drainSeconds, EmulatorCounters counters, int auditExit,
                         String auditOut, int auditAttempts, Map<String, String> problems, int reconcileExit,
                         String reconcileOut) {

        public long terminal() {
            return TERMINAL.stream().mapToLong(s -> states.getOrDefault(s, 0L)).sum();
        }

        /** Every job COMPLETED, none missing, the audit clean, and the stack reports nothing wrong at the end. */
        public boolean clean() {
            return total == settings.jobs() && states.getOrDefault("COMPLETED", 0L) == settings.jobs()
                    && auditExit == 0 && problems.isEmpty();
        }

        public String text() {
            final StringBuilder b = new StringBuilder();
            final Settings s = settings;
            b.append(String.format(Locale.ROOT, "stemflow chaos run: %d jobs, seed %d, provider limit %d per %d ms,"
                            + " %d partitions%n", s.jobs(), s.seed(), s.limit(), s.window().toMillis(),
                    s.partitions()));
            b.append("faults: 10% duplicate callbacks, 1% lost callbacks, 5% server errors (500), 3 bursts of 430 ("
                    + s.burst().toSeconds() + " s each), 1 maintenance window (" + s.maintenance().toSeconds()
                    + " s of 455)\n");
            b.append(String.format(Locale.ROOT, "submitted in %.1f s; every job terminal %.1f s after that%n",
                    submitSeconds, drainSeconds));
            b.append("jobs: ").append(total).append(" seen, ").append(terminal()).append(" terminal, by state ")
                    .append(states).append('\n');
            b.append("events (progress = provider tasks accepted / jobs):\n");
            for (final Event e : events) {
                b.append(String.format(Locale.ROOT, "  %5.1f s  at %3d%%  %s%s%n", e.atSeconds(), e.progressPercent(),
                        e.what(), e.note().isEmpty() ? "" : " (" + e.note() + ")"));
            }
            b.append("emulator: requests by code ").append(counters.requestsByCode()).append(", tasks accepted ")
                    .append(counters.tasksAccepted()).append(", succeeded ").append(counters.tasksSucceeded())
                    .append(", failed ").append(counters.tasksFailed()).append("; callbacks delivered ")
                    .append(counters.callbacksDelivered()).append(", duplicated ").append(counters.callbacksDuplicated())
                    .append(", lost ").append(counters.callbacksLost()).append(", delivery attempts failed ")
                    .append(counters.callbackAttemptsFailed()).append(", given up ").append(counters.callbacksGivenUp())
                    .append("; most calls in one window ").append(counters.highestRequestsInWindow()).append('\n');
            b.append("audit (attempt ").append(auditAttempts).append("): exit ").append(auditExit).append('\n');
            auditOut.lines().forEach(l -> b.append("  | ").append(l).append('\n'));
            // a figure, not part of the verdict: a resubmitted task whose callback was lost is known to nobody
            b.append("provider balance reconciled with the ledger since a baseline taken before the submission "
                    + "(stemflow audit --baseline): exit ").append(reconcileExit).append('\n');
            reconcileOut.lines().filter(l -> l.contains("provider") || l.startsWith("            "))
                    .forEach(l -> b.append("  | ").append(l).append('\n'));
            b.append("stack problems at the end: ").append(problems.isEmpty() ? "none" : problems).append('\n');
            b.append("verdict: ").append(clean() ? "CLEAN" : "NOT CLEAN").append('\n');
            return b.toString();
        }
    }

    private ChaosRun() {
    }

    public static void main(final String[] args) {
        int jobs = 20_000;
        long seed = 20_261_206L;
        int limit = 20;
        Duration window = Duration.ofSeconds(1);
        long deadlineMinutes = 120;
        Path dataDir = Path.of("target", "chaos-run");
        int partitions = 6;
        Duration maintenance = Duration.ofSeconds(30);
        Duration burst = Duration.ofSeconds(10);
        for (int i = 0; i < args.length; i++) {
            final String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--jobs" -> jobs = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--limit" -> limit = Integer.parseInt(value);
                case "--window" -> window = Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
                case "--deadline" -> deadlineMinutes = Long.parseLong(value);
                case "--data-dir" -> dataDir = Path.of(value);
                case "--partitions" -> partitions = Integer.parseInt(value);
                case "--maintenance" -> maintenance = Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
                case "--burst" -> burst = Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --jobs N --seed S --limit CALLS --window 1s --deadline MINUTES --data-dir DIR"
                        + " --partitions P --maintenance 30s --burst 10s");
            }
            i++;
        }
        final Settings settings = new Settings(jobs, seed, limit, window, maintenance, burst,
                Duration.ofMinutes(deadlineMinutes), dataDir, partitions);
        final Report report = run(settings);
        System.out.print(report.text());
        System.out.flush();
        System.exit(report.clean() ? 0 : 1);
    }

    /** Runs the whole chaos run on a fresh stack in {@code settings.dataDir()} and returns what it saw. */
    public static Report run(final Settings s) {
        final TopologyConfig topology = TopologyConfig.defaults()
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(15), 20)
                .withPunctuateInterval(Duration.ofSeconds(1));
        final Map<String, String> gateway = new HashMap<>();
        gateway.put(GatewayConfig.RATE_LIMIT_REQUESTS, Integer.toString(s.limit()));
        gateway.put(GatewayConfig.RATE_LIMIT_WINDOW, s.window().toMillis() + "ms");
        gateway.put(GatewayConfig.SESSION_TIMEOUT, "6s");
        gateway.put(GatewayConfig.INSTANCE_ID, "0");
        final LocalStackConfig config = new LocalStackConfig(s.dataDir(), StackPorts.anyFree(), s.partitions(), true,
                true, topology, null, gateway, s.seed(), false).withGatewayProcess();
        try (LocalStack stack = LocalStack.start(config);
             Restartable pipeline = Restartable.pipeline(stack, s.dataDir(), topologyEnv());
             Restartable gateway2 = Restartable.gateway(stack, s.dataDir(), gateway)) {
            return new ChaosRun.Run(s, stack, pipeline, gateway2).go();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The topology's settings above, as the pipeline child reads them. */
    private static Map<String, String> topologyEnv() {
        return Map.of("STEMFLOW_JOBS_RESULT_TIMEOUT", "60s", "STEMFLOW_JOBS_RECONCILE_INTERVAL", "15s",
                "STEMFLOW_JOBS_MAX_RECONCILIATIONS", "20", "STEMFLOW_JOBS_PUNCTUATE_INTERVAL", "1s");
    }

    /** One run: the stack is up, the two extra children too. */
    private static final class Run {

        private final Settings s;
        private final LocalStack stack;
        private final Restartable pipeline;
        private final Restartable gateway;
        private final EmulatorControl emulator;
        private final List<Event> events = new ArrayList<>();
        private final String batch;
        private long startNanos;

        Run(final Settings s, final LocalStack stack, final Restartable pipeline, final Restartable gateway) {
            this.s = s;
            this.stack = stack;
            this.pipeline = pipeline;
            this.gateway = gateway;
            this.emulator = stack.emulator().orElseThrow().control();
            this.batch = "chaos-" + s.seed();
        }

        Report go() throws IOException {
            final String apiKey = stack.info().credentials().get("provider-emulator-api-key");
            emulator.topUp(apiKey, 20L * s.jobs());
            final Path baseline = s.dataDir().resolve("audit-baseline.json");
            final CliRun taken = cli("audit", "--baseline", baseline.toString());
            if (taken.exit() != 0) {
                throw new IllegalStateException("the audit baseline was not taken: " + taken.out() + taken.err());
            }
            emulator.setFaults(FaultShares.NONE.withDuplicateCallbacks(0.10).withLostCallbacks(0.01)
                    .withServerErrors(0.05));
            final Path manifest = s.dataDir().resolve("chaos-manifest.csv");
            final StringBuilder rows = new StringBuilder("taskId,audioId\n");
            for (int i = 0; i < s.jobs(); i++) {
                rows.append("chaos-").append(i).append(",audio-").append(i).append('\n');
            }
            Files.writeString(manifest, rows);
            startNanos = System.nanoTime();
            final long deadline = startNanos + s.deadline().toNanos();
            final CliRun submit = cli("submit", "--manifest", manifest.toString(), "--type", "separate_vocal",
                    "--account", ACCOUNT, "--batch", batch, "--no-progress");
            if (submit.exit() != 0) {
                throw new IllegalStateException("submit failed: " + submit.out() + submit.err());
            }
            final double submitSeconds = seconds();

            // the chaos, in progress order: each waits for its point, happens, and waits until its target is back
            at(5, deadline, "SIGKILL pipeline instance 2", () -> pipeline.killAndRestart());
            at(12, deadline, "maintenance window of " + s.maintenance().toSeconds() + " s", () -> {
                emulator.scheduleMaintenanceIn(Duration.ZERO, s.maintenance());
                return "";
            });
            at(20, deadline, "SIGKILL callback bridge", this::killBridge);
            at(27, deadline, "SIGKILL the active gateway", this::killActiveGateway);
            at(33, deadline, "430 burst of " + s.burst().toSeconds() + " s", this::burst);
            at(40, deadline, "broker SIGKILL and restart", this::restartBroker);
            at(50, deadline, "SIGKILL pipeline instance 2", () -> pipeline.killAndRestart());
            at(57, deadline, "430 burst of " + s.burst().toSeconds() + " s", this::burst);
            at(63, deadline, "SIGKILL callback bridge", this::killBridge);
            at(70, deadline, "SIGKILL the active gateway", this::killActiveGateway);
            at(77, deadline, "430 burst of " + s.burst().toSeconds() + " s", this::burst);

            // then every job terminal, or the deadline
            Map<String, Long> states = Map.of();
            long total = 0;
            while (System.nanoTime() - deadline < 0) {
                final Optional<Status> status = status();
                if (status.isPresent()) {
                    states = status.get().states();
                    total = status.get().total();
                    final long done = TERMINAL.stream().mapToLong(t -> status.get().states().getOrDefault(t, 0L))
                            .sum();
                    if (total == s.jobs() && done == s.jobs()) {
                        break;
                    }
                }
                pause(Duration.ofSeconds(2));
            }
            final double drainSeconds = seconds() - submitSeconds;

            // the audit: ledger, stems and balances settle a moment after the last state; a few attempts
            CliRun audit = null;
            int attempts = 0;
            final long auditDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            do {
                attempts++;
                audit = cli("audit");
                if (audit.exit() == 0) {
                    break;
                }
                pause(Duration.ofSeconds(5));
            } while (System.nanoTime() - auditDeadline < 0);
            final CliRun reconciled = cli("audit", "--baseline", baseline.toString(), "--max-examples", "20");
            return new Report(s, states, total, List.copyOf(events), submitSeconds, drainSeconds,
                    emulator.counters(), audit.exit(), audit.out() + audit.err(), attempts, stack.problems(),
                    reconciled.exit(), reconciled.out() + reconciled.err());
        }

        private String burst() {
            emulator.scheduleBurstIn(Duration.ZERO, s.burst());
            return "";
        }

        private String killBridge() {
            return killStackChild("the callback bridge", stack::bridgePid);
        }

        /** SIGKILLs a child the stack supervises and waits until the stack has started it again. */
        private static String killStackChild(final String name, final Supplier<Optional<Long>> pidOf) {
            final long t0 = System.nanoTime();
            final long pid = pidOf.get().orElseThrow();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            awaitTrue(Duration.ofMinutes(3), () -> {
                final long now = pidOf.get().orElse(-1L);
                return now > 0 && now != pid;
            }, name + " restarted by the stack");
            return String.format(Locale.ROOT, "pid %d, back as pid %d after %.1f s", pid, pidOf.get().orElse(-1L),
                    (System.nanoTime() - t0) / 1e9);
        }

        /**
         * SIGKILLs whichever gateway is active (waiting for one to be, if a takeover is under way), waits until it
         * is running again and until a gateway is active again; says which it was and how long each took.
         */
        private String killActiveGateway() throws Exception {
            final URI own = URI.create(stack.info().services().get("gateway"));
            awaitTrue(Duration.ofMinutes(2), () -> gateway.active(own).orElse(false)
                    || gateway.active(gateway.base).orElse(false), "a gateway active");
            final long t0 = System.nanoTime();
            final String what;
            if (gateway.active(own).orElse(false)) {
                what = "instance 0 (the stack's), the active one: " + killStackChild("gateway instance 0",
                        stack::gatewayPid);
            } else {
                what = "instance 1 (the harness's): " + gateway.killAndRestart();
            }
            awaitTrue(Duration.ofMinutes(2), () -> gateway.active(own).orElse(false)
                    || gateway.active(gateway.base).orElse(false), "a gateway active again");
            return String.format(Locale.ROOT, "%s; instance %s active %.1f s after the kill", what,
                    gateway.active(own).orElse(false) ? "0" : "1", (System.nanoTime() - t0) / 1e9);
        }

        private String restartBroker() {
            final EmbeddedKafka kafka = stack.kafka().orElseThrow();
            final long pid = kafka.pid(1);
            kafka.killBroker(1);
            stack.restartBroker(1);
            return "pid " + pid + ", back as pid " + kafka.pid(1) + " after "
                    + String.format(Locale.ROOT, "%.1f s", seconds() - lastAt);
        }

        private double lastAt;

        /** Waits until the emulator has accepted {@code percent}% of the jobs, then does {@code action}. */
        private void at(final int percent, final long deadline, final String what, final Action action) {
            final long target = (long) Math.ceil(s.jobs() * percent / 100.0);
            while (emulator.counters().tasksAccepted() < target) {
                if (System.nanoTime() - deadline >= 0) {
                    events.add(new Event(what, percent, seconds(), "NOT DONE: the deadline came first"));
                    return;
                }
                pause(Duration.ofMillis(200));
            }
            lastAt = seconds();
            final String note;
            try {
                note = action.run();
            } catch (Exception e) {
                events.add(new Event(what, percent, lastAt, "FAILED: " + e));
                return;
            }
            events.add(new Event(what, percent, lastAt, note));
        }

        private double seconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }

        private Optional<Status> status() {
            final CliRun status = cli("status", "--batch", batch);
            if (status.exit() != 0) {
                return Optional.empty();
            }
            for (final String line : status.out().lines().toList()) {
                final Matcher m = STATUS.matcher(line.trim());
                if (m.matches()) {
                    final Map<String, Long> states = new LinkedHashMap<>();
                    final String[] parts = m.group(2).trim().split("\\s+");
                    for (int i = 0; i + 1 < parts.length; i += 2) {
                        states.put(parts[i], Long.parseLong(parts[i + 1]));
                    }
                    return Optional.of(new Status(Long.parseLong(m.group(1)), states));
                }
            }
            return Optional.empty();
        }

        private CliRun cli(final String... args) {
            return CliRun.on(s.dataDir().resolve("stack.json"), args);
        }
    }

    private record Status(long total, Map<String, Long> states) {
    }


    @FunctionalInterface
    private interface Action {
        String run() throws Exception;
    }

    /** A pause between polls of a condition (the poll period, not synchronisation). */
    private static void pause(final Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void awaitTrue(final Duration timeout, final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("not within " + timeout + ": " + what);
            }
            pause(Duration.ofMillis(100));
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    /** A pipeline or gateway instance as a child process that the harness kills with SIGKILL and starts again. */
    private static final class Restartable implements AutoCloseable {

        private static final HttpClient HTTP = HttpClient.newHttpClient();

        private final String name;
        private final String mainClass;
        private final Map<String, String> env;
        private final Path log;
        private final URI base;
        private final URI health;
        private final String viewerToken;
        private ChildProcess process;

        private Restartable(final String name, final String mainClass, final Map<String, String> env, final Path log,
                            final URI base, final String viewerToken) {
            this.name = name;
            this.mainClass = mainClass;
            this.env = Map.copyOf(env);
            this.log = log;
            this.base = base;
            this.health = base.resolve("/health");
            this.viewerToken = viewerToken;
            this.process = start();
        }

        static Restartable pipeline(final LocalStack stack, final Path dataDir, final Map<String, String> topology) {
            final int port = freePort();
            final Map<String, String> env = new HashMap<>(common(stack, dataDir));
            env.put("STEMFLOW_STREAMS_APPLICATION_ID", "stemflow-pipeline");
            env.put("STEMFLOW_STREAMS_REPLICATION_FACTOR", "1");
            env.put("STEMFLOW_QUERY_HOST", "127.0.0.1");
            env.putAll(topology);
            env.put("STEMFLOW_STREAMS_STATE_DIR", dataDir.resolve("streams-2").toAbsolutePath().toString());
            env.put("STEMFLOW_QUERY_PORT", Integer.toString(port));
            env.put("STEMFLOW_QUERY_ADVERTISED_HOST", "127.0.0.1");
            return new Restartable("pipeline instance 2", "io.stemflow.pipeline.app.PipelineMain", env,
                    dataDir.resolve("logs").resolve("pipeline-2.log"), URI.create("http://127.0.0.1:" + port), null);
        }

        static Restartable gateway(final LocalStack stack, final Path dataDir, final Map<String, String> settings)
                throws IOException {
            final int port = freePort();
            final Map<String, String> env = new HashMap<>(common(stack, dataDir));
            final Path secrets = dataDir.resolve("secrets");
            env.put(GatewayConfig.PROVIDER_BASE_URL, stack.info().services().get("provider-emulator"));
            env.put(GatewayConfig.PROVIDER_API_KEY_FILE, secrets.resolve("provider-api-key").toAbsolutePath().toString());
            env.put(GatewayConfig.CALLBACK_HMAC_KEY_FILE,
                    secrets.resolve("callback-hmac-key").toAbsolutePath().toString());
            env.put(GatewayConfig.BRIDGE_PUBLIC_URL, stack.info().services().get("bridge"));
            env.put(GatewayConfig.HTTP_HOST, "127.0.0.1");
            env.putAll(settings);
            env.put(GatewayConfig.INSTANCE_ID, "1");
            env.put(GatewayConfig.HTTP_PORT, Integer.toString(port));
            final String tokenFile = stack.info().credentials().get(StackInfo.VIEWER_TOKEN_FILE);
            final String token = tokenFile == null ? null : Files.readString(Path.of(tokenFile)).trim();
            return new Restartable("gateway instance 1", "io.stemflow.gateway.GatewayMain", env,
                    dataDir.resolve("logs").resolve("gateway-1.log"), URI.create("http://127.0.0.1:" + port), token);
        }

        /**
         * What the stack gives its own services: the cluster, the registry as its services' user, the HTTP tokens.
         * The files are the stack's own under {@code secrets/} ({@code LocalSecrets}, {@code RegistryCredentials}).
         */
        private static Map<String, String> common(final LocalStack stack, final Path dataDir) {
            final Map<String, String> env = new HashMap<>();
            env.put("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", stack.info().bootstrapServers());
            env.put("STEMFLOW_SCHEMA_REGISTRY_URL", stack.info().schemaRegistryUrl());
            env.put(RegistryConnection.ENV_USER, "stemflow-services");
            env.put(RegistryConnection.ENV_PASSWORD_FILE,
                    dataDir.resolve("secrets").resolve("registry").resolve("services-password").toAbsolutePath()
                            .toString());
            env.put(AccessTokens.ENV_VIEWER + io.stemflow.service.Settings.FILE_SUFFIX,
                    stack.info().credentials().get(StackInfo.VIEWER_TOKEN_FILE));
            env.put(AccessTokens.ENV_OPERATOR + io.stemflow.service.Settings.FILE_SUFFIX,
                    stack.info().credentials().get(StackInfo.OPERATOR_TOKEN_FILE));
            return env;
        }

        private ChildProcess start() {
            return ChildProcess.start(name, mainClass, List.of(), env, log, health, CHILD_TIMEOUT);
        }

        /** SIGKILL, wait until it is gone, start it again and wait until it is ready; says what it was. */
        synchronized String killAndRestart() throws Exception {
            final String role = role();
            final long pid = process.pid();
            final long t0 = System.nanoTime();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            final int code = process.onExit().get(60, TimeUnit.SECONDS);
            process.close();
            process = start();
            return String.format(Locale.ROOT, "pid %d%s, exit %d; started again as pid %d, ready after %.1f s", pid,
                    role, code, process.pid(), (System.nanoTime() - t0) / 1e9);
        }

        /** For a gateway: whether it was the active instance (its stemflow_gateway_active gauge). */
        private String role() {
            if (viewerToken == null) {
                return "";
            }
            return active(base).map(a -> a ? ", the active instance" : ", a hot standby").orElse(", role unknown");
        }

        /**
         * Whether the gateway at {@code gatewayBase} is the active instance, by its {@code stemflow_gateway_active}
         * gauge (read with the stack's viewer token); empty when it does not answer (down, or restarting).
         */
        Optional<Boolean> active(final URI gatewayBase) {
            try {
                final var response = HTTP.send(HttpRequest.newBuilder(gatewayBase.resolve("/metrics"))
                                .timeout(Duration.ofSeconds(3)).header("Authorization", "Bearer " + viewerToken).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return Optional.empty();
                }
                return Optional.of(response.body().lines().anyMatch(l -> l.startsWith("stemflow_gateway_active ")
                        && l.endsWith(" 1.0")));
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }

        @Override
        public synchronized void close() {
            process.close();
        }
    }
}
