#!/usr/bin/env bash
# Runs the callback bridge alone, configured by STEMFLOW_* variables (see README.md).
# Usage: STEMFLOW_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 STEMFLOW_SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 \
#        STEMFLOW_CALLBACK_HMAC_KEY_FILE=/run/secrets/callback-key callback-bridge/run.sh
set -euo pipefail
module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$module")"
cd "$root"
if [[ ! -f "$module/target/classpath.txt" || "$module/pom.xml" -nt "$module/target/classpath.txt" \
      || -n "$(find "$module/src/main" -newer "$module/target/classpath.txt" -print -quit)" ]]; then
  mvn -B -q ${MVN_OFFLINE:+-o} -pl callback-bridge compile dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi
exec java ${STEMFLOW_BRIDGE_JAVA_OPTS:-} -Dlog4j2.configurationFile="$module/log4j2-bridge.xml" \
  -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" io.stemflow.bridge.BridgeMain
