#!/usr/bin/env bash
# kafka-run-class.sh <main class> [args...]: a Kafka tool on the image's classpath, logging warnings to stderr.
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} ${KAFKA_OPTS:-} -Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.xml \
  -cp "/opt/kafka/libs/*" "$@"
