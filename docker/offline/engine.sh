#!/usr/bin/env bash
# Makes a Docker engine usable on a Debian machine where none runs (CI here): installs Debian's
# docker.io if dockerd is missing, starts dockerd in the background if it does not answer, and
# adds the compose and buildx CLI plugins from Debian's packages if the docker CLI lacks them
# (bookworm has neither as a v2 plugin: they come from the next release's pool, static binaries).
#
# Exit 0 when `docker info`, `docker compose version` and `docker buildx version` all answer;
# otherwise exit 1 with the reason on stderr (the caller decides whether that skips or fails).
# Needs root. DEBIAN_MIRROR (default http://deb.debian.org/debian); dockerd's log goes to
# ${STEMFLOW_DOCKERD_LOG:-/var/log/stemflow-dockerd.log}.
set -euo pipefail

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
plugin_suite="${STEMFLOW_DOCKER_PLUGIN_SUITE:-trixie}"
log="${STEMFLOW_DOCKERD_LOG:-/var/log/stemflow-dockerd.log}"

fail() {
  echo "engine: $*" >&2
  exit 1
}

if ! docker info > /dev/null 2>&1; then
  if ! command -v dockerd > /dev/null 2>&1; then
    echo "engine: installing docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q > /dev/null || fail "apt-get update failed"
    apt-get install -y -q docker.io > /dev/null || fail "cannot install docker.io"
  fi
  # a pid file left by a dockerd that was killed names a pid another process may have taken since,
  # and dockerd then refuses to start: drop pid files that do not name a live dockerd or containerd
  for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [[ -f "$pidfile" ]] && ! ps -p "$(cat "$pidfile")" -o comm= 2> /dev/null | grep -qE '^(dockerd|containerd)$'; then
      rm -f "$pidfile"
    fi
  done
  echo "engine: starting dockerd (log: $log)"
  nohup dockerd > "$log" 2>&1 &
  for _ in $(seq 1 60); do
    docker info > /dev/null 2>&1 && break
    sleep 1
  done
  docker info > /dev/null 2>&1 || fail "dockerd did not answer within 60 s: $(tail -3 "$log" | tr '\n' ' ')"
fi

# plugin <package> <subcommand>: installs Debian's <package> from $plugin_suite unless `docker <subcommand> version` answers
plugin() {
  local package="$1" subcommand="$2" file deb
  docker "$subcommand" version > /dev/null 2>&1 && return 0
  echo "engine: installing $package from Debian $plugin_suite"
  if [[ ! -s "${packages_index:-}" ]]; then
    packages_index="$(mktemp)"
    curl -fsS -m 120 "$mirror/dists/$plugin_suite/main/binary-$(dpkg --print-architecture)/Packages.xz" \
      | xz -dc > "$packages_index" || fail "cannot read the $plugin_suite package index"
  fi
  file="$(awk -v p="$package" '$1 == "Package:" { hit = ($2 == p) } hit && $1 == "Filename:" { print $2; exit }' "$packages_index")"
  [[ -n "$file" ]] || fail "no $package in $plugin_suite"
  deb="$(mktemp --suffix=.deb)"
  curl -fsS -m 300 -o "$deb" "$mirror/$file" || fail "cannot download $file"
  dpkg -i "$deb" > /dev/null || fail "cannot install $file"
  rm -f "$deb"
  docker "$subcommand" version > /dev/null 2>&1 || fail "docker $subcommand does not answer after installing $package"
}
plugin docker-compose compose
plugin docker-buildx buildx
rm -f "${packages_index:-}"
echo "engine: ready ($(docker version --format 'engine {{.Server.Version}}'), $(docker compose version --short 2>/dev/null | sed 's/^/compose /'))"
