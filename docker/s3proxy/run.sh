#!/usr/bin/env bash
# Starts S3Proxy (docker/s3proxy/Dockerfile) with its objects under $S3PROXY_DATA_DIR (filesystem-nio2: a folder per
# bucket, a file per object), AWS signatures v2 or v4 checked against one identity:
#
#   S3PROXY_IDENTITY         the access key id (not secret), e.g. stemflow-archiver
#   S3PROXY_CREDENTIAL_FILE  file holding its secret access key (a compose secret); read here, never logged, never
#                            in the environment: it goes into a properties file only this user can read
#   S3PROXY_BUCKETS          buckets to have before S3Proxy starts (space- or comma-separated): each is a folder of
#                            the data directory, made if missing (the archiver does not create its bucket)
#   S3PROXY_PORT             port (default 8080), S3PROXY_DATA_DIR (default /var/lib/s3proxy/data), JAVA_OPTS
#
# Java runs as PID 1 (exec): `docker stop` stops it.
set -euo pipefail

identity="${S3PROXY_IDENTITY:?S3PROXY_IDENTITY must name the access key id}"
credential_file="${S3PROXY_CREDENTIAL_FILE:?S3PROXY_CREDENTIAL_FILE must name the file of the secret access key}"
data="${S3PROXY_DATA_DIR:-/var/lib/s3proxy/data}"
port="${S3PROXY_PORT:-8080}"
[[ -r "$credential_file" ]] || { echo "s3proxy: cannot read S3PROXY_CREDENTIAL_FILE $credential_file" >&2; exit 2; }
credential="$(head -n 1 "$credential_file" | tr -d '[:space:]')"
[[ -n "$credential" ]] || { echo "s3proxy: $credential_file is empty" >&2; exit 2; }

mkdir -p "$data"
for bucket in ${S3PROXY_BUCKETS//,/ }; do
  # S3's bucket naming rules (lower case letters, digits, '-', '.'; 3 to 63), so no name leaves the data directory
  [[ "$bucket" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ && "$bucket" != *..* ]] \
    || { echo "s3proxy: '$bucket' is not a valid bucket name" >&2; exit 2; }
  if [[ ! -d "$data/$bucket" ]]; then
    mkdir "$data/$bucket"
    echo "s3proxy: made bucket $bucket"
  fi
done

properties="$(mktemp --suffix=.properties /tmp/s3proxy.XXXXXX)"   # mode 600
cat > "$properties" <<PROPERTIES
s3proxy.endpoint=http://0.0.0.0:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$identity
s3proxy.credential=$credential
jclouds.provider=filesystem-nio2
jclouds.identity=$identity
jclouds.credential=$credential
jclouds.filesystem.basedir=$data
PROPERTIES
unset credential
# shellcheck disable=SC2086  # JAVA_OPTS holds several options
exec java ${JAVA_OPTS:-} -jar /opt/s3proxy/s3proxy.jar --properties "$properties"
