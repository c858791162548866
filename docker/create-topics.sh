#!/usr/bin/env bash
# One-shot (the `topics` service of docker-compose.yml, in the apache/kafka image): creates every
# stemflow topic, as io.stemflow.schemas.TopicSpec.all(partitions) does for the local stack, and
# checks that all of them have the same partition count (the topology joins its input and internal
# topics by key, so they must be co-partitioned), but the scheduler's inputs (job-queue*), which
# have one (the scheduler sees the whole queue). Existing topics are left as they are.
#
# Usage: create-topics.sh [--list]   (--list: "<topic> <partitions: P or 1> <config>" per topic)
# Environment: KAFKA_BOOTSTRAP      (default kafka:9092)
#              PARTITIONS           partitions of every topic (default 6, as bin/stemflow dev)
#              REPLICATION_FACTOR   (default 1: one broker)
#              KAFKA_TOPICS         the kafka-topics command (default /opt/kafka/bin/kafka-topics.sh)
#              KAFKA_COMMAND_CONFIG client properties file of an administrator (a secured cluster: SASL_SSL,
#                                   docker-compose.yml passes the secret kafka_admin_properties); unset: none
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
partitions="${PARTITIONS:-6}"
replication="${REPLICATION_FACTOR:-1}"
kafka_topics="${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
command_config=()
[[ -n "${KAFKA_COMMAND_CONFIG:-}" ]] && command_config=(--command-config "$KAFKA_COMMAND_CONFIG")

days() { echo $(( $1 * 24 * 60 * 60 * 1000 )); }
JOBS="retention.ms=$(days 30)"       # job topics: 30 days
DLQ="retention.ms=$(days 90)"        # dead letters: 90 days
FOREVER="retention.ms=-1"            # the credit journal and grants are the source of every balance
COMPACT="cleanup.policy=compact"     # one balance per account

# topic, then its config (TopicSpec.configsOf)
specs=(
  separation-requests    "$JOBS"
  separation-requests-bulk "$JOBS"
  separation-admitted    "$JOBS"
  separation-submissions "$JOBS"
  separation-results     "$JOBS"
  separation-stems       "$JOBS"
  separation-archived    "$JOBS"
  separation-link-refresh "$JOBS"
  separation-links       "$JOBS"
  separation-manifests   "$JOBS"
  separation-status      "$JOBS"
  separation-reconcile   "$JOBS"
  separation-dlq         "$DLQ"
  credit-grants          "$FOREVER"
  credit-ledger          "$FOREVER"
  credit-balances        "$COMPACT"
  separation-control     "$FOREVER"
  account-shares         "$COMPACT"
  # internal to the topology (JSON values), created with the others
  credit-commands        "$JOBS"
  credit-commands-normal "$JOBS"
  credit-commands-bulk   "$JOBS"
  job-decisions          "$JOBS"
  job-queue              "$JOBS"
  job-queue-normal       "$JOBS"
  job-queue-bulk         "$JOBS"
  job-schedule           "$JOBS"
)

# partitions of a topic: one for the scheduler's inputs, $partitions for every other
partitions_of() {
  case "$1" in
    job-queue|job-queue-normal|job-queue-bulk) echo 1 ;;
    *) echo "$partitions" ;;
  esac
}

# --list: print "<topic> <config>" per topic and exit, without Kafka (TopicScriptsTest compares it
# with TopicSpec.all)
if [[ "${1:-}" == "--list" ]]; then
  for ((i = 0; i < ${#specs[@]}; i += 2)); do
    count="$(partitions="P" partitions_of "${specs[i]}")"
    echo "${specs[i]} $count ${specs[i + 1]}"
  done
  exit 0
fi

# one JVM per kafka-topics call (seconds each over TLS on a small machine): list once, create only the missing ones
existing="$("$kafka_topics" --bootstrap-server "$bootstrap" "${command_config[@]}" --list)"
for ((i = 0; i < ${#specs[@]}; i += 2)); do
  topic="${specs[i]}" config="${specs[i + 1]}"
  grep -qxF "$topic" <<< "$existing" && continue
  "$kafka_topics" --bootstrap-server "$bootstrap" "${command_config[@]}" --create --if-not-exists --topic "$topic" \
    --partitions "$(partitions_of "$topic")" --replication-factor "$replication" --config "$config"
done

# One describe of every topic: "Topic: <name>  TopicId: ...  PartitionCount: <n>  ...".
counts="$("$kafka_topics" --bootstrap-server "$bootstrap" "${command_config[@]}" --describe \
  | sed -nE 's/^Topic: *([^[:space:]]+).*PartitionCount: *([0-9]+).*/\1 \2/p')"
mismatch=0
for ((i = 0; i < ${#specs[@]}; i += 2)); do
  topic="${specs[i]}"
  count="$(awk -v t="$topic" '$1 == t { print $2 }' <<< "$counts")"
  expected="$(partitions_of "$topic")"
  if [[ "$count" != "$expected" ]]; then
    echo "create-topics: $topic has ${count:-no} partitions, expected $expected: the topics must be co-partitioned" >&2
    mismatch=1
  fi
done
if [[ "$mismatch" == 0 ]]; then
  echo "create-topics: $(( ${#specs[@]} / 2 )) topics ready, $partitions partitions each (the scheduler's inputs one), replication factor $replication"
fi
exit "$mismatch"
