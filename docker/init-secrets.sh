#!/usr/bin/env bash
# Creates the secret files docker-compose.yml mounts (compose `secrets:`), unless they exist:
#
#   docker/secrets/callback_hmac_key  HMAC key of the per-job callback token, shared by the gateway
#                                     (signs callback URLs) and the bridge (checks them): 32 random bytes, hex
#   docker/secrets/provider_api_key   the provider's API key (gateway; also the key the emulator accepts)
#   docker/secrets/viewer_token       bearer token that reads the query API, the gateway's /metrics and the
#                                     emulator's /admin (STEMFLOW_VIEWER_TOKENS_FILE; the CLI: STEMFLOW_TOKEN_FILE)
#   docker/secrets/operator_token     bearer token that also changes state (the emulator's admin changes)
#                                     (STEMFLOW_OPERATOR_TOKENS_FILE): 32 random bytes each, url-safe base64
#   docker/secrets/registry_services_password  password of the registry user stemflow-services (role writer:
#                                     registers schemas), used by the bridge, the pipeline and the gateway
#   docker/secrets/registry_admin_password     password of the registry user stemflow-admin (role admin:
#                                     compatibility levels, deletes), used by schema-config and operators
#   docker/secrets/registry_users     the registry's users file: user:role:pbkdf2-sha256 hash lines of the two
#                                     (no password in it); rewritten whenever a password file is new
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
random_token() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

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

# user:role:pbkdf2-sha256:<iterations>:<salt>:<hash> for the registry (schema-registry/README.md), the
# password on stdin; python3's hashlib or OpenSSL 3's kdf
registry_line() { # registry_line <user> <role> <password file>
  local salt hash
  salt="$(head -c 16 /dev/urandom | base64)"
  if command -v python3 > /dev/null; then
    hash="$(python3 -c 'import base64, hashlib, sys
salt = base64.b64decode(sys.argv[1])
password = sys.stdin.readline().strip().encode()
print(base64.b64encode(hashlib.pbkdf2_hmac("sha256", password, salt, 600000, 32)).decode())' "$salt" < "$3")"
  else
    hash="$(openssl kdf -binary -keylen 32 -kdfopt digest:SHA256 -kdfopt "pass:$(head -n 1 "$3")" \
      -kdfopt "hexsalt:$(printf '%s' "$salt" | base64 -d | od -An -tx1 | tr -d ' \n')" -kdfopt iter:600000 PBKDF2 \
      | base64)"
  fi
  printf '%s:%s:pbkdf2-sha256:600000:%s:%s\n' "$1" "$2" "$salt" "$hash"
}

write callback_hmac_key "$(random_hex 32)"
if [[ -n "$provider_key_file" ]]; then
  write provider_api_key "$(head -n 1 "$provider_key_file" | tr -d '[:space:]')"
else
  write provider_api_key "sk-emulator-$(random_hex 16)"
fi
write viewer_token "$(random_token)"
write operator_token "$(random_token)"

new_password=""
for name in registry_services_password registry_admin_password; do
  [[ -s "$dir/$name" ]] || new_password=yes
  write "$name" "$(random_hex 24)"
done
if [[ -n "$new_password" || ! -s "$dir/registry_users" ]]; then
  { echo "# stemflow schema registry users (docker/init-secrets.sh): user:role:hash"
    registry_line stemflow-services writer "$dir/registry_services_password"
    registry_line stemflow-admin admin "$dir/registry_admin_password"
  } > "$dir/registry_users"
  chmod 644 "$dir/registry_users"
  echo "init-secrets: wrote $dir/registry_users"
fi
