#!/usr/bin/env bash
# One-shot: sets the compatibility level of the value subject of every stemflow topic
# (<topic>-value, TopicNameStrategy) in the schema registry, so that the registry itself refuses
# a schema change that the repository's history guard (SchemaCompatibilityTest, FULL_TRANSITIVE)
# would refuse. Plain HTTP over bash's /dev/tcp (the image has no curl); for an HTTPS or
# authenticated registry use curl as shown in docs/integration.md.
#
# Usage: schema-config.sh [--list]
# Environment: STEMFLOW_SCHEMA_REGISTRY_URL  http://host:port (the first of a comma-separated list)
#              STEMFLOW_SCHEMA_COMPATIBILITY level to set (default FULL_TRANSITIVE)
set -euo pipefail

url="${STEMFLOW_SCHEMA_REGISTRY_URL:-}"
level="${STEMFLOW_SCHEMA_COMPATIBILITY:-FULL_TRANSITIVE}"
# The public topics of io.stemflow.schemas.TopicNames.ALL (TopicScriptsTest keeps them in step).
topics=(separation-requests separation-admitted separation-submissions separation-results separation-stems
        separation-status separation-reconcile separation-dlq credit-grants credit-ledger credit-balances)

# --list: print the subjects and exit, without a registry (TopicScriptsTest compares them with TopicNames.ALL)
if [[ "${1:-}" == "--list" ]]; then
  printf '%s-value\n' "${topics[@]}"
  exit 0
fi
[[ -n "$url" ]] || { echo "schema-config: STEMFLOW_SCHEMA_REGISTRY_URL is required" >&2; exit 64; }
url="${url%%,*}"
if [[ ! "$url" =~ ^http://([^/:@]+)(:([0-9]+))?/?$ ]]; then
  # never echo the URL: it may carry user:password
  echo "schema-config: STEMFLOW_SCHEMA_REGISTRY_URL must be a plain http://host[:port] URL for this script" >&2
  exit 64
fi
host="${BASH_REMATCH[1]}"
port="${BASH_REMATCH[3]:-80}"

# put <path> <json>: prints the HTTP status, then the body
put() {
  local status line body=""
  exec 3<>"/dev/tcp/$host/$port"
  printf 'PUT %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$host" "${#2}" "$2" >&3
  IFS=' ' read -r -t 10 _ status _ <&3 || true
  while IFS= read -r -t 10 line <&3; do
    [[ "$line" == $'\r' || -z "$line" ]] && break
  done
  IFS= read -r -t 10 body <&3 || true
  exec 3<&-
  printf '%s %s\n' "${status:-none}" "$body"
}

failed=0
for topic in "${topics[@]}"; do
  answer="$(put "/config/${topic}-value" "{\"compatibility\":\"${level}\"}")"
  if [[ "$answer" == 200* ]]; then
    echo "schema-config: ${topic}-value -> ${level}"
  else
    echo "schema-config: ${topic}-value not set: ${answer}" >&2
    failed=1
  fi
done
exit "$failed"
