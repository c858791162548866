#!/usr/bin/env bash
# The archive benchmark of issue 18 (ArchiveBench, in the archiver's test sources): N stems of S MiB served over
# loopback HTTP, downloaded plainly (bytes thrown away) and then archived (download, length and WAV checks,
# SHA-256, atomic store in a folder), C at once each; prints MB/s and stems/s of both and their ratio
# (docs/benchmarks.md, "Archive"). A benchmark, not a test: it prints figures.
#
#   bench/archive.sh                                   200 stems of 5 MiB, 4 at once
#   bench/archive.sh --stems 500 --size-mib 10 --concurrency 8 --dir /mnt/disk/bench
#
# Environment: STEMFLOW_MVN_OPTS (extra Maven options for the build, e.g. -o), STEMFLOW_BENCH_BUILD=0 (use what was
# built last), JAVA_OPTS (options of the benchmark's JVM).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COPY="$ROOT/archiver/target/archive-bench"

if [ "${STEMFLOW_BENCH_BUILD:-1}" != "0" ]; then
  echo "bench/archive.sh: building the archiver and what it needs..." >&2
  (cd "$ROOT" && mvn -B -q ${STEMFLOW_MVN_OPTS:-} -DskipTests -pl archiver -am install) >&2
fi
rm -rf "$COPY"
mkdir -p "$COPY"
(cd "$ROOT" && mvn -B -q ${STEMFLOW_MVN_OPTS:-} -pl archiver dependency:copy-dependencies \
    -DincludeScope=test -DoutputDirectory="$COPY/lib") >&2
cp -r "$ROOT/archiver/target/classes" "$COPY/classes"
cp -r "$ROOT/archiver/target/test-classes" "$COPY/test-classes"

cd "$ROOT"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$COPY/test-classes:$COPY/classes:$COPY/lib/*" \
    io.stemflow.archiver.bench.ArchiveBench "$@"
