#!/usr/bin/env bash
# The queue benchmark of issue 14 (QueueBenchmark, in local-stack's test sources): the local stack's core
# (broker, registry, topics) and the pipeline as its own JVM with -Xmx512m; N BULK requests produced as
# `stemflow submit` produces them; prints produce and admission time, the pipeline's heap and RSS, and the
# state on disk; and issue 17's figures: time to the first admission, jobs admitted per 5 s, steady against
# end-to-end rate, records and bytes written per job on every topic (internal ones included), and a raw produce
# baseline on the same broker (docs/benchmarks.md, "Admission (1,000,000-row manifest)"). A benchmark, not a test:
# it prints figures.
#
#   bench/queue.sh                      1,000,000 jobs (about 10-30 minutes on 2 cores)
#   bench/queue.sh --jobs 100000        fewer
#   options: --jobs N --heap 512m --partitions P --deadline MINUTES --data-dir DIR --keep
#            --jfr FILE (a JFR recording of the pipeline: jfr print --events jdk.ExecutionSample FILE)
#
# Environment: STEMFLOW_MVN_OPTS (extra Maven options for the build, e.g. -o), STEMFLOW_BENCH_BUILD=0 (use
# what was built last instead of building), JAVA_OPTS (options of the benchmark's own JVM). The pipeline's JVM
# inherits the environment: STEMFLOW_STREAMS_ROCKSDB_MEMORY=0 runs it on Kafka Streams' RocksDB defaults (the
# figures before the shared budget), e.g. STEMFLOW_STREAMS_ROCKSDB_MEMORY=256MiB with a bigger budget.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COPY="$ROOT/local-stack/target/queue-bench"

if [ "${STEMFLOW_BENCH_BUILD:-1}" != "0" ]; then
  echo "bench/queue.sh: building local-stack and what it needs..." >&2
  (cd "$ROOT" && mvn -B -q ${STEMFLOW_MVN_OPTS:-} -DskipTests -pl local-stack -am install) >&2
fi

# Run from a copy of the classpath: the broker and the pipeline are child JVMs on java.class.path, and a run of
# many minutes must not load classes from a target/ directory that a rebuild is rewriting.
rm -rf "$COPY"
mkdir -p "$COPY"
(cd "$ROOT" && mvn -B -q ${STEMFLOW_MVN_OPTS:-} -pl local-stack dependency:copy-dependencies \
    -DincludeScope=test -DoutputDirectory="$COPY/lib") >&2
cp -r "$ROOT/local-stack/target/classes" "$COPY/classes"
cp -r "$ROOT/local-stack/target/test-classes" "$COPY/test-classes"

cd "$ROOT"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$COPY/test-classes:$COPY/classes:$COPY/lib/*" \
    io.stemflow.localstack.bench.QueueBenchmark "$@"
