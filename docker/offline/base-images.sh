#!/usr/bin/env bash
# Builds, from Debian's packages alone, the base images that docker/Dockerfile and
# docker/offline/kafka/Dockerfile start from, for a Docker engine that cannot pull from an image
# registry (an air-gapped host, or CI here):
#
#   stemflow-offline/jdk:17   Debian bookworm, OpenJDK 17 JDK and Maven    (build stages)
#   stemflow-offline/jre:17   Debian bookworm, OpenJDK 17 JRE (headless)   (runtime stages)
#
# An image already present is kept (--force rebuilds). Needs root and a Debian mirror
# (DEBIAN_MIRROR, default http://deb.debian.org/debian); installs debootstrap from Debian's packages
# when it is missing (a fresh machine has none). About 2 minutes an image here.
# The images get this host's CA certificates (/etc/ssl/certs), so that their Maven reaches Maven
# Central through the same TLS-inspecting proxy as the host; STEMFLOW_OFFLINE_HOST_CA=false keeps
# Debian's own.
#
# Usage: docker/offline/base-images.sh [--force]
set -euo pipefail

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite="${DEBIAN_SUITE:-bookworm}"
host_ca="${STEMFLOW_OFFLINE_HOST_CA:-true}"
force=0
[[ "${1:-}" == "--force" ]] && force=1

need_debootstrap() { # installs debootstrap once, the first time an image has to be built
  command -v debootstrap > /dev/null 2>&1 && return
  echo "base-images: installing debootstrap"
  if ! (export DEBIAN_FRONTEND=noninteractive; apt-get update -q > /dev/null && apt-get install -y -q debootstrap > /dev/null) \
      || ! command -v debootstrap > /dev/null 2>&1; then
    echo "base-images: debootstrap is missing and could not be installed" >&2
    return 1
  fi
}

build() { # build <tag> <comma-separated packages>
  local tag="$1" packages="$2" root
  if [[ "$force" == 0 ]] && docker image inspect "$tag" > /dev/null 2>&1; then
    echo "base-images: $tag is present"
    return
  fi
  need_debootstrap || return 1
  root="$(mktemp -d)"
  echo "base-images: debootstrap $suite with $packages -> $tag"
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" > "$root.log" 2>&1; then
    tail -20 "$root.log" >&2
    rm -rf "$root"
    echo "base-images: debootstrap failed for $tag (log above)" >&2
    return 1
  fi
  rm -f "$root.log"
  if [[ "$host_ca" == true ]]; then
    # trust what this host trusts (a TLS-inspecting proxy's CA, say), or Maven in a build stage
    # cannot reach its repository from where the host can
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    if [[ -f /etc/ssl/certs/java/cacerts && -d "$root/etc/ssl/certs/java" ]]; then
      cp /etc/ssl/certs/java/cacerts "$root/etc/ssl/certs/java/cacerts"
    fi
  fi
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import \
    -c 'ENV LANG=C.UTF-8' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' \
    - "$tag" > /dev/null
  rm -rf "$root"
  echo "base-images: $tag built"
}

build stemflow-offline/jre:17 openjdk-17-jre-headless,ca-certificates
build stemflow-offline/jdk:17 openjdk-17-jdk-headless,maven,ca-certificates
