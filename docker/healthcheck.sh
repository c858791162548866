#!/usr/bin/env bash
# Container health check without curl: GET http://127.0.0.1:<port><path> over bash's /dev/tcp and
# succeed only on a 2xx status. Usage: healthcheck.sh <port> [path]   (path defaults to /)
set -euo pipefail

port="${1:?usage: healthcheck.sh <port> [path]}"
path="${2:-/}"

exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
status=""
IFS=' ' read -r -t 5 _ status _ <&3 || true
exec 3<&-
[[ "$status" == 2[0-9][0-9] ]]
