#!/usr/bin/env bash
# Runs the provider emulator alone, configured by STEMFLOW_EMULATOR_* variables (see README.md).
# Usage: STEMFLOW_EMULATOR_API_KEYS=sk-local provider-emulator/run.sh
set -euo pipefail
module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$module")"
cd "$root"
if [[ ! -f "$module/target/classpath.txt" || "$module/pom.xml" -nt "$module/target/classpath.txt" \
      || -n "$(find "$module/src/main" -newer "$module/target/classpath.txt" -print -quit)" ]]; then
  mvn -B -q ${MVN_OFFLINE:+-o} -pl provider-emulator compile dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
exec java -Dlog4j2.configurationFile="$module/log4j2-emulator.xml" \
  -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" io.stemflow.emulator.EmulatorMain
