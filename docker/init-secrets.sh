#!/usr/bin/env bash
# Creates the secret files docker-compose.yml mounts (compose `secrets:`), unless they exist:
#
#   docker/secrets/callback_hmac_key  HMAC key of the per-job callback token, shared by the gateway
#                                     (signs callback URLs) and the bridge (checks them): 32 random bytes, hex
#   docker/secrets/provider_api_key   the provider's API key (gateway; also the key the emulator accepts)
#
# Usage: docker/init-secrets.sh                          random local keys (for --profile emulator)
#        docker/init-secrets.sh --provider-key-file F    copy the real provider key from file F
#
# The directory is mode 700 (other users of this machine cannot reach the files); the files are
# 644 because compose bind-mounts them read-only into containers that run as another user (uid
# 10001). STEMFLOW_SECRETS_DIR moves the directory (docker-compose.yml reads the same variable).
# Never commit these files: docker/secrets/.gitignore ignores everything in the directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${STEMFLOW_SECRETS_DIR:-$root/docker/secrets}"
provider_key_file=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --provider-key-file) provider_key_file="${2:?--provider-key-file needs a file}"; shift 2 ;;
    *) echo "usage: $0 [--provider-key-file FILE]" >&2; exit 64 ;;
  esac
done

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

mkdir -p "$dir"
chmod 700 "$dir"
umask 022

write() { # write <name> <value>: creates <dir>/<name> unless it exists; never prints the value
  local file="$dir/$1"
  if [[ -s "$file" ]]; then
    echo "init-secrets: $file exists, kept"
    return
  fi
  printf '%s\n' "$2" > "$file"
  chmod 644 "$file"
  echo "init-secrets: wrote $file"
}

write callback_hmac_key "$(random_hex 32)"
if [[ -n "$provider_key_file" ]]; then
  write provider_api_key "$(head -n 1 "$provider_key_file" | tr -d '[:space:]')"
else
  write provider_api_key "sk-emulator-$(random_hex 16)"
fi
