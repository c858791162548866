#!/usr/bin/env bash
# Checks docker-compose.yml end to end on a Docker engine: builds the images, starts every service
# (emulator profile) under its own project name and ports, pushes the demo catalogue through with
# `bin/stemflow demo` from the host, downloads a stem, checks that the archiver copied every stem of the demo into
# the S3 store (S3Proxy's volume) and announced each on separation-archived, stops and starts the whole deployment and
# checks that balances, job states and the archive's announcements (none repeated) survived, starts Prometheus (profile
# monitoring) and waits until it scrapes every stemflow service and has loaded stemflow's alert rules, checks Kafka's security (a client without valid credentials can
# neither read nor write a topic; the bridge's principal cannot write credit-grants; no refused grant reached a
# balance), checks that no secret reached a log or a container's environment, and removes everything it
# created (containers, volumes, its secrets directory). Every step says how long it took.
#
# Usage: docker/offline/verify-compose.sh        (from anywhere; needs bin/stemflow's Java and Maven)
# Environment: the images, as for docker-compose.yml (STEMFLOW_KAFKA_IMAGE, STEMFLOW_BUILD_IMAGE,
#              STEMFLOW_RUNTIME_IMAGE: .ci/run points them at the images of docker/offline);
#              VERIFY_TRACKS (default 24); VERIFY_PORT_BASE (default 30000: the services are
#              published on 127.0.0.1 at base+9092, +8081, +8089, +8090, +8091, +8093, +7070, +9000, +9090).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
base="${VERIFY_PORT_BASE:-30000}"
tracks="${VERIFY_TRACKS:-24}"
project="stemflow-verify"
batch="verify-$(date +%s)"
secrets="$(mktemp -d)"

export STEMFLOW_SECRETS_DIR="$secrets"
export STEMFLOW_PUBLISH_HOST=127.0.0.1
export STEMFLOW_KAFKA_HOST_PORT=$((base + 9092)) STEMFLOW_REGISTRY_HOST_PORT=$((base + 8081))
export STEMFLOW_EMULATOR_HOST_PORT=$((base + 8089)) STEMFLOW_BRIDGE_HOST_PORT=$((base + 8090))
export STEMFLOW_GATEWAY_HOST_PORT=$((base + 8091)) STEMFLOW_QUERY_HOST_PORT=$((base + 7070))
export STEMFLOW_ARCHIVER_HOST_PORT=$((base + 8093)) STEMFLOW_S3_HOST_PORT=$((base + 9000))
export STEMFLOW_PROMETHEUS_HOST_PORT=$((base + 9090))
# stem links name the emulator as the containers reach it (the archiver downloads them); the host's curl maps that
# name to the published port (--connect-to)
export STEMFLOW_EMULATOR_PUBLIC_URL="http://emulator:8089"
emulator_from_host=(--connect-to "emulator:8089:127.0.0.1:$STEMFLOW_EMULATOR_HOST_PORT")
bucket="${STEMFLOW_ARCHIVE_S3_BUCKET:-stemflow-archive}"
query="http://localhost:$STEMFLOW_QUERY_HOST_PORT"
# the services answer only bearer tokens (docker/init-secrets.sh makes them): the CLI and curl read the viewer's
export STEMFLOW_TOKEN_FILE="$secrets/viewer_token"
compose=(docker compose --project-name "$project" --profile emulator)
connection=(--bootstrap-servers "localhost:$STEMFLOW_KAFKA_HOST_PORT"
            --registry-url "http://localhost:$STEMFLOW_REGISTRY_HOST_PORT"
            --query-url "$query" --gateway-url "http://localhost:$STEMFLOW_GATEWAY_HOST_PORT"
            --stack-file "$secrets/no-stack.json")

step() { echo "verify-compose: $*"; }
fail() {
  echo "verify-compose: FAILED: $*" >&2
  "${compose[@]}" ps -a >&2 || true
  "${compose[@]}" logs --no-color --tail 40 >&2 || true
  exit 1
}
cleanup() {
  "${compose[@]}" --profile monitoring down --volumes --remove-orphans > /dev/null 2>&1 || true
  rm -rf "$secrets"
}
trap cleanup EXIT

bash docker/init-secrets.sh > /dev/null
viewer=(-H "Authorization: Bearer $(head -n 1 "$secrets/viewer_token")")
# the CLI on the host registers the demo's schemas: the registry's writer credentials, from their file
export STEMFLOW_SCHEMA_REGISTRY_USER=stemflow-services
export STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE="$secrets/registry_services_password"
# Kafka on the host's port is SASL_SSL too: the CLI logs in as the operator (SCRAM-SHA-512), trusting the broker's
# certificate (it names localhost); a probe below swaps in other credentials
export STEMFLOW_KAFKA_SECURITY_PROTOCOL=SASL_SSL STEMFLOW_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
export STEMFLOW_KAFKA_SASL_USERNAME=stemflow-operator STEMFLOW_KAFKA_SASL_PASSWORD_FILE="$secrets/kafka_operator_password"
export STEMFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION="$secrets/kafka_certificate" STEMFLOW_KAFKA_SSL_TRUSTSTORE_TYPE=PEM
kafka_settings=(STEMFLOW_KAFKA_SECURITY_PROTOCOL STEMFLOW_KAFKA_SASL_MECHANISM STEMFLOW_KAFKA_SASL_USERNAME
                STEMFLOW_KAFKA_SASL_PASSWORD_FILE STEMFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION STEMFLOW_KAFKA_SSL_TRUSTSTORE_TYPE)
# as_client <kind> <command...>: the command with other Kafka credentials: none (PLAINTEXT, no user), wrong (the
# operator's name with a wrong password), bridge (the bridge's principal)
as_client() {
  local kind="$1" unset=() name
  shift
  for name in "${kafka_settings[@]}"; do unset+=(-u "$name"); done
  case "$kind" in
    none) env "${unset[@]}" "$@" ;;
    wrong) env STEMFLOW_KAFKA_SASL_PASSWORD_FILE="$secrets/wrong_password" "$@" ;;
    bridge) env STEMFLOW_KAFKA_SASL_USERNAME=stemflow-bridge STEMFLOW_KAFKA_SASL_PASSWORD_FILE="$secrets/kafka_bridge_password" "$@" ;;
  esac
}
since() { echo "$(($(date +%s) - $1)) s"; }
total_start=$(date +%s)

step "building the images and starting the services (project $project, ports from $base)"
start=$(date +%s)
"${compose[@]}" up --build --detach --wait --wait-timeout 600 > "$secrets/up.log" 2>&1 \
  || { tail -30 "$secrets/up.log" >&2; fail "the services did not all become healthy"; }
step "every service healthy after $(since "$start") ($("${compose[@]}" logs --no-color kafka-access 2>/dev/null \
  | grep -o 'credentials of [0-9]* principals.*in [0-9]* ms' | head -1))"

# the contract up front: schema-config registered every subject at FULL_TRANSITIVE before any service started, and
# nothing since (the services and the CLI resolve to it): one version each, before and after the demo
registry="http://localhost:$STEMFLOW_REGISTRY_HOST_PORT"
subjects="$(bin/stemflow registry configure --list)"
contract_holds() { # contract_holds <when>: every subject has version [1] only, at FULL_TRANSITIVE
  local subject versions level
  for subject in $subjects; do
    versions="$(curl -sS "$registry/subjects/$subject/versions")"
    level="$(curl -sS "$registry/config/$subject")"
    [[ "$versions" == "[1]" && "$level" == *'"FULL_TRANSITIVE"'* ]] \
      || fail "$1: subject $subject has versions $versions and level $level (expected [1] and FULL_TRANSITIVE)"
  done
}
contract_holds "before the demo"
step "every subject ($(wc -w <<< "$subjects")) holds stemflow's schema as its one version, at FULL_TRANSITIVE"

step "the demo catalogue ($tracks tracks) through the deployment, from the host (as stemflow-operator over SASL_SSL)"
start=$(date +%s)
bin/stemflow demo "${connection[@]}" --tracks "$tracks" --batch "$batch" --timeout PT8M \
  || fail "the demo did not end every job with a balanced ledger"
step "demo done in $(since "$start")"
contract_holds "after the demo"

url="$(bin/stemflow job "$batch-track-000" "${connection[@]}" | grep -o 'http://[^ ]*\.wav' | head -1)"
[[ -n "$url" ]] || fail "no stem URL for $batch-track-000"
answer="$(curl -sS "${emulator_from_host[@]}" -o "$secrets/stem.wav" -w '%{http_code} %{content_type}' "$url")"
[[ "$answer" == "200 audio/wav" && "$(head -c 4 "$secrets/stem.wav")" == "RIFF" ]] \
  || fail "stem $url answered '$answer'"
step "stem downloaded from $url"

# the archive: every stem of the demo's jobs (as the query API lists them) is a file of the bucket's folder in the
# s3 service's volume, at {account}/{batch}/{requestId}/{stem}.{ext}; the one downloaded above is the same bytes;
# separation-archived has one record per stem (key: the request id), read as the administrator in the kafka container
start=$(date +%s)
for ((i = 0; i < tracks; i++)); do
  curl -fsS "${viewer[@]}" "$query/jobs/$(printf '%s-track-%03d' "$batch" "$i")"; echo
done > "$secrets/jobs.json" || fail "the query API did not list the demo's jobs"
# one line per stem: its archive key, then its link
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    job = json.loads(line)
    for s in job["stems"]:
        ext = s["url"].split("?")[0].rsplit(".", 1)[-1].lower()
        print(job["accountId"] + "/" + job["batchId"] + "/" + job["requestId"] + "/" + s["stem"].lower() + "." + ext, s["url"])' \
  "$secrets/jobs.json" > "$secrets/stems.txt"
expected="$(wc -l < "$secrets/stems.txt")"
[[ "$expected" -gt 0 ]] || fail "the demo's jobs list no stems"
data="/var/lib/s3proxy/data/$bucket"
archived_files() { "${compose[@]}" exec -T s3 find "$data" -path "$data/*/$batch/*" -type f 2>/dev/null \
  | sed "s|^$data/||" | tr '[:upper:]' '[:lower:]' | sort; }
deadline=$(($(date +%s) + 180))
until [[ "$(archived_files | wc -l)" -ge "$expected" ]]; do
  (($(date +%s) < deadline)) || break
  sleep 3
done
missing="$(comm -23 <(cut -d' ' -f1 "$secrets/stems.txt" | sort) <(archived_files))"
[[ -z "$missing" ]] || fail "stems not in bucket $bucket after $(since "$start") ($(archived_files | wc -l) of $expected there): $(head -5 <<< "$missing" | tr '\n' ' ')"
stem_key="$(grep -F " $url" "$secrets/stems.txt" | cut -d' ' -f1 | head -1)"
stem_file="$("${compose[@]}" exec -T s3 find "$data" -ipath "$data/$stem_key" -type f | head -1)"
[[ -n "$stem_file" && "$("${compose[@]}" exec -T s3 cat "$stem_file" | sha256sum)" == "$(sha256sum < "$secrets/stem.wav")" ]] \
  || fail "the archived copy of $url ($stem_key) differs from the stem downloaded"
announced() { # announced <consumer options...>: records of the demo's batch on separation-archived (key: request id)
  "${compose[@]}" exec -T kafka /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server kafka:9092 \
    --consumer.config /run/secrets/kafka_admin_properties --topic separation-archived --from-beginning \
    --property print.key=true "$@" 2>/dev/null | grep -c "^$batch-track-[0-9]*"$'\t' || true
}
count="$(announced --max-messages "$expected" --timeout-ms 30000)"
[[ "$count" == "$expected" ]] || fail "separation-archived has $count records of batch $batch, expected $expected"
archiver_health="$(curl -sS "http://localhost:$STEMFLOW_ARCHIVER_HOST_PORT/health")"
[[ "$archiver_health" == *'"UP"'* ]] || fail "the archiver's /health answered $archiver_health"
step "archive: all $expected stems of $batch in bucket $bucket (the downloaded one byte for byte) and on separation-archived, in $(since "$start"); archiver $archiver_health"

anonymous="$(curl -s -o /dev/null -w '%{http_code}' "$query/accounts/label-north")"
[[ "$anonymous" == 401 ]] || fail "the query API answered $anonymous to a request without a token"
step "the query API refuses a request without a token (401)"

# Kafka: who may not read or write. Each probe must fail; then the operator checks that nothing arrived.
start=$(date +%s)
echo "not-the-password" > "$secrets/wrong_password"
kafka_refuses() { # kafka_refuses <what> <kind> <stemflow arguments...>: the command must fail
  local what="$1" kind="$2" output
  shift 2
  if output="$(as_client "$kind" bin/stemflow "$@" "${connection[@]}" 2>&1)"; then
    fail "$what succeeded: $output"
  fi
  step "refused: $what ($(tail -1 <<< "$output" | cut -c1-160))"
}
balance_before="$(curl -fsS "${viewer[@]}" "$query/accounts/label-north")"
kafka_refuses "a client without credentials reading account-shares" none account shares
kafka_refuses "a client without credentials writing credit-grants" none \
  credits grant --account label-north --credits 1000 --grant-id "$batch-none"
kafka_refuses "a client with a wrong password reading account-shares" wrong account shares
kafka_refuses "a client with a wrong password writing credit-grants" wrong \
  credits grant --account label-north --credits 1000 --grant-id "$batch-wrong"
grant_output="$(as_client bridge bin/stemflow credits grant --account label-north --credits 1000 \
  --grant-id "$batch-bridge" "${connection[@]}" 2>&1)" && fail "the bridge's principal wrote credit-grants: $grant_output"
grep -qi "authoriz" <<< "$grant_output" || fail "the bridge's grant failed, but not for want of authorization: $grant_output"
step "refused: the bridge's principal writing credit-grants ($(tail -1 <<< "$grant_output" | cut -c1-160))"
# what the operator may do, it can (the same read that was refused); no refused grant reached label-north's balance
shares="$(bin/stemflow account shares "${connection[@]}" 2>&1)" || fail "the operator cannot read account-shares: $shares"
sleep 3
balance_after="$(curl -fsS "${viewer[@]}" "$query/accounts/label-north")"
[[ "$balance_before" == "$balance_after" ]] || fail "label-north changed from $balance_before to $balance_after after refused grants"
step "Kafka security checks done in $(since "$start"): nothing arrived; the operator reads account-shares"

before_account="$(curl -fsS "${viewer[@]}" "$query/accounts/label-north")"
before_batch="$(curl -fsS "${viewer[@]}" "$query/batches/$batch")"
step "stopping and starting the whole deployment"
start=$(date +%s)
"${compose[@]}" stop > /dev/null 2>&1 || fail "docker compose stop"
"${compose[@]}" up --detach --wait --wait-timeout 300 > "$secrets/up.log" 2>&1 \
  || { tail -30 "$secrets/up.log" >&2; fail "the services did not come back healthy"; }
after_account="$(curl -fsS "${viewer[@]}" "$query/accounts/label-north")"
after_batch="$(curl -fsS "${viewer[@]}" "$query/batches/$batch")"
[[ "$before_account" == "$after_account" ]] || fail "label-north was $before_account, after a restart $after_account"
[[ "$before_batch" == "$after_batch" ]] || fail "batch $batch was $before_batch, after a restart $after_batch"
step "after the restart ($(since "$start")): label-north $after_account; batch $after_batch"
# the archiver's state survived too: no stem announced a second time (the whole topic, till 10 s without a record)
count="$(announced --timeout-ms 10000)"
[[ "$count" == "$expected" ]] || fail "after the restart separation-archived has $count records of batch $batch, expected $expected"
step "after the restart separation-archived still has $count records of $batch: none announced twice"

# Prometheus (profile monitoring, monitoring/prometheus/): it reaches every stemflow service's /metrics with the viewer
# token (the four targets up) and has loaded every group of alerts.yml; then it is removed again
step "starting Prometheus (profile monitoring)"
start=$(date +%s)
monitoring=("${compose[@]}" --profile monitoring)
"${monitoring[@]}" up --build --detach --wait --wait-timeout 300 prometheus > "$secrets/prometheus.log" 2>&1 \
  || { tail -30 "$secrets/prometheus.log" >&2; fail "Prometheus did not become healthy"; }
prometheus="http://localhost:$STEMFLOW_PROMETHEUS_HOST_PORT"
targets_up() { # the number of stemflow targets whose last scrape succeeded
  curl -fsS "$prometheus/api/v1/targets?state=active" 2>/dev/null | grep -o '"job":"stemflow-[a-z]*"[^}]*}[^}]*"health":"up"' \
    | wc -l || true
}
deadline=$(($(date +%s) + 120))
until [[ "$(targets_up)" -ge 4 ]]; do
  (($(date +%s) < deadline)) || fail "Prometheus scrapes $(targets_up) of 4 stemflow targets after $(since "$start"): $(curl -sS "$prometheus/api/v1/targets?state=active" | grep -o '"scrapeUrl":"[^"]*"\|"lastError":"[^"]*"\|"health":"[a-z]*"' | tr '\n' ' ')"
  sleep 2
done
rules="$(curl -fsS "$prometheus/api/v1/rules")" || fail "Prometheus does not list its rules"
for group in $(grep -o '^  - name: [a-z-]*' monitoring/prometheus/alerts.yml | sed 's/.*: //'); do
  grep -qF "\"name\":\"$group\"" <<< "$rules" || fail "Prometheus has not loaded the alert group $group"
done
firing="$({ curl -fsS "$prometheus/api/v1/alerts" | grep -o '"alertname":"[A-Za-z]*"' || true; } | sort -u | tr '\n' ' ')"
"${monitoring[@]}" rm --stop --force prometheus > /dev/null 2>&1 || fail "docker compose rm prometheus"
step "Prometheus scraped every stemflow service and loaded every alert group in $(since "$start") (alerts now: ${firing:-none})"

# every container's log rotates (the logging options of docker-compose.yml)
for container in $("${compose[@]}" ps -aq); do
  options="$(docker inspect --format '{{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config "max-size"}} {{index .HostConfig.LogConfig.Config "max-file"}}' "$container")"
  [[ "$options" =~ ^json-file\ [0-9]+[kmg]\ [0-9]+$ ]] \
    || fail "container $(docker inspect --format '{{.Name}}' "$container") logs without rotation: $options"
done
step "every container's log rotates ($options)"

for key in callback_hmac_key provider_api_key registry_services_password registry_admin_password viewer_token \
  operator_token kafka_keystore_password kafka_broker_password kafka_admin_password kafka_pipeline_password \
  kafka_gateway_password kafka_bridge_password kafka_archiver_password kafka_registry_password \
  kafka_operator_password s3_secret_access_key; do
  value="$(cat "$secrets/$key")"
  if "${compose[@]}" logs --no-color 2>&1 | grep -qF "$value"; then
    fail "the $key appears in a service's log"
  fi
  for container in $("${compose[@]}" ps -q); do
    if docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$container" | grep -qF "$value"; then
      fail "the $key is in the environment of container $container"
    fi
  done
done
step "no secret in any log or container environment"
step "OK (all checks in $(since "$total_start"))"
