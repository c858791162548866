#!/usr/bin/env bash
# Builds stemflow and lays out every service's runtime for the image (docker/Dockerfile runs it
# in its build stage; it runs the same way outside Docker, e.g. to check it):
#
#   <out>/lib/*.jar            every jar any service needs, each file once
#   <out>/classpath/<module>   one line: that module's classpath (its own jar, then its runtime
#                              dependencies, as /app/lib/... paths), used by entrypoint.sh
#
# Usage: docker/build-dist.sh [out-dir]      (default /dist)
# Environment: MVN_ARGS  extra Maven arguments (e.g. -o to build offline)
#              APP_HOME  where <out> will live at run time (default /app)
set -euo pipefail

out="${1:-/dist}"
app_home="${APP_HOME:-/app}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The modules that have a main class (pipeline-app: the pipeline; gateway: the gateway; archiver: the archiver;
# cli: the stemflow CLI, the image's `cli` and `schema-config` commands).
modules=(schema-registry callback-bridge pipeline-app gateway archiver provider-emulator cli)

cd "$root"
# One reactor run: package, then copy each module's runtime dependencies. In the same run the
# sibling modules resolve to the jars just packaged, so nothing needs to be installed.
# shellcheck disable=SC2086
mvn -B ${MVN_ARGS:-} -DskipTests -pl "$(IFS=,; echo "${modules[*]}")" -am \
    package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/runtime-lib

rm -rf "$out"
mkdir -p "$out/lib" "$out/classpath"
# The registry declares no logging backend (embedders bring their own): give every service log4j2.
backend=(log4j-api log4j-core log4j-slf4j2-impl)
has() { # has <name> <jar file names...>: true when one of the jars is artifact <name>
  local name="$1" jar
  shift
  for jar in "$@"; do
    [[ "$jar" =~ ^${name}-[0-9] ]] && return 0
  done
  return 1
}
for module in "${modules[@]}"; do
  jar="$(find "$module/target" -maxdepth 1 -name 'stemflow-*.jar' ! -name '*-sources.jar' ! -name '*-tests.jar')"
  if [[ -z "$jar" || "$jar" == *$'\n'* ]]; then
    echo "build-dist: expected one jar in $module/target, found: ${jar:-none}" >&2
    exit 1
  fi
  entries=("$(basename "$jar")")
  cp "$jar" "$out/lib/"
  for dep in "$module"/target/runtime-lib/*.jar; do
    entries+=("$(basename "$dep")")
    cp "$dep" "$out/lib/"
  done
  for name in "${backend[@]}"; do
    if ! has "$name" "${entries[@]}"; then
      extra="$(find callback-bridge/target/runtime-lib -name "${name}-[0-9]*.jar")"
      entries+=("$(basename "$extra")")
      cp "$extra" "$out/lib/"
    fi
  done
  printf "${app_home}/lib/%s\n" "${entries[@]}" | paste -sd: - > "$out/classpath/$module"
done
echo "build-dist: $(find "$out/lib" -name '*.jar' | wc -l) jars in $out/lib; classpaths of: ${modules[*]}"
