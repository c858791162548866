#!/usr/bin/env bash
# The chaos run of issue 17 (ChaosRun, in cli's test sources): N jobs through the whole local stack while the
# provider emulator injects 10% duplicate callbacks, 1% lost callbacks, 5% server errors, three 430 bursts and a
# maintenance window, and the harness kills (SIGKILL) a pipeline instance, the active gateway and the callback
# bridge twice each and restarts the broker once; then `stemflow audit`. Prints a report (jobs by state, the
# events and when, time to drain, the emulator's counters, the audit) and exits 0 only when every job COMPLETED
# and the audit is clean. The CI size (1,000 jobs) is ChaosRunTest.
#
#   bench/chaos.sh                      20,000 jobs, provider limit 20 calls per 1 s (the fast window)
#   bench/chaos.sh --jobs 1000          fewer
#   options: --jobs N --seed S --limit CALLS --window 1s|10s --deadline MINUTES --data-dir DIR --partitions P
#            --maintenance 30s --burst 10s (the CI size is --jobs 1000 --maintenance 8s --burst 4s)
#
# Environment: STEMFLOW_MVN_OPTS (extra Maven options for the build, e.g. -o), STEMFLOW_BENCH_BUILD=0 (use
# what was built last instead of building), JAVA_OPTS (options of the harness's own JVM).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COPY="$ROOT/cli/target/chaos-run-classpath"

if [ "${STEMFLOW_BENCH_BUILD:-1}" != "0" ]; then
  echo "bench/chaos.sh: building the CLI and what it needs..." >&2
  (cd "$ROOT" && mvn -B -q ${STEMFLOW_MVN_OPTS:-} -DskipTests -pl cli -am install) >&2
fi

# Run from a copy of the classpath: the broker, the bridge, the pipeline and the gateway are child JVMs on
# java.class.path, and a run of many minutes must not load classes from a target/ directory a rebuild rewrites.
rm -rf "$COPY"
mkdir -p "$COPY"
(cd "$ROOT" && mvn -B -q ${STEMFLOW_MVN_OPTS:-} -pl cli dependency:copy-dependencies \
    -DincludeScope=test -DoutputDirectory="$COPY/lib") >&2
cp -r "$ROOT/cli/target/classes" "$COPY/classes"
cp -r "$ROOT/cli/target/test-classes" "$COPY/test-classes"

cd "$ROOT"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$COPY/test-classes:$COPY/classes:$COPY/lib/*" io.stemflow.cli.ChaosRun "$@"
