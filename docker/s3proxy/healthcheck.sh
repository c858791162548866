#!/usr/bin/env bash
# S3Proxy's health check without curl: an anonymous GET / over bash's /dev/tcp gets an HTTP answer (403: it checks
# signatures) once it serves requests. Usage: healthcheck.sh [port]   (default 8080)
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/${1:-8080}"
printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
status=""
IFS=' ' read -r -t 5 _ status _ <&3 || true
exec 3<&-
[[ "$status" =~ ^[1-5][0-9][0-9]$ ]]
