#!/usr/bin/env bash
# The stemflow image's entrypoint: the container command names the service to run.
#
#   registry       io.stemflow.registry.RegistryMain          (Confluent-API schema registry on Kafka)
#   bridge         io.stemflow.bridge.BridgeMain              (provider callbacks -> separation-results)
#   pipeline       io.stemflow.pipeline.app.PipelineMain      (Kafka Streams topology + query API)
#   gateway        io.stemflow.gateway.GatewayMain    (rate-limited submitter + reconciler)
#   archiver       io.stemflow.archiver.ArchiverMain          (separation-stems -> a folder or S3 bucket, separation-archived)
#   emulator       io.stemflow.emulator.EmulatorMain          (stand-in for the provider's HTTP API)
#   cli            io.stemflow.cli.StemflowCli                (the stemflow CLI: `cli --help`)
#   schema-config  the same as `cli registry configure`: sets the compatibility level of stemflow's subjects
#
# Every service is configured by its environment (README.md, section Settings). Java runs as PID 1 (exec), so
# `docker stop` (SIGTERM) reaches its shutdown hooks. JAVA_OPTS adds JVM options.
set -euo pipefail

home="${STEMFLOW_HOME:-/app}"

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

service="${1:-help}"
if [[ $# -gt 0 ]]; then
  shift
fi
case "$service" in
  registry) module=schema-registry main=io.stemflow.registry.RegistryMain ;;
  bridge) module=callback-bridge main=io.stemflow.bridge.BridgeMain ;;
  pipeline)
    module=pipeline-app main=io.stemflow.pipeline.app.PipelineMain
    # The query API forwards requests between pipeline instances at their application.server
    # address: unless told otherwise, advertise this container's own IPv4 address, so that
    # several instances of the same service (docker compose --scale) each advertise their own.
    if [[ -z "${STEMFLOW_QUERY_ADVERTISED_HOST:-}" ]]; then
      address="$(getent ahostsv4 "${HOSTNAME:-localhost}" | awk 'NR == 1 { print $1 }')"
      export STEMFLOW_QUERY_ADVERTISED_HOST="${address:-127.0.0.1}"
    fi
    ;;
  gateway) module=gateway main=io.stemflow.gateway.GatewayMain ;;
  archiver) module=archiver main=io.stemflow.archiver.ArchiverMain ;;
  emulator) module=provider-emulator main=io.stemflow.emulator.EmulatorMain ;;
  cli) module=cli main=io.stemflow.cli.StemflowCli ;;
  schema-config)
    module=cli main=io.stemflow.cli.StemflowCli
    set -- registry configure "$@"
    ;;
  help | -h | --help)
    usage
    exit 0
    ;;
  *)
    echo "stemflow: unknown service '$service'" >&2
    usage
    exit 64
    ;;
esac

classpath_file="$home/classpath/$module"
if [[ ! -r "$classpath_file" ]]; then
  echo "stemflow: no classpath for $module in $home/classpath (image built without it?)" >&2
  exit 70
fi
# shellcheck disable=SC2086  # JAVA_OPTS holds several options
exec java ${JAVA_OPTS:-} -Dlog4j2.configurationFile="$home/log4j2.xml" \
  -cp "$(cat "$classpath_file")" "$main" "$@"
