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
#   docker/secrets/s3_secret_access_key  secret access key of the archive's S3 store (S3Proxy, service s3) for the
#                                     access key id stemflow-archiver, used by the archiver: 32 random bytes, hex
#   docker/secrets/registry_users     the registry's users file: user:role:pbkdf2-sha256 hash lines of the two
#                                     (no password in it); rewritten whenever a password file is new
#
#   Kafka (SASL_SSL with ACLs; docker/README.md, section "Kafka security"):
#   docker/secrets/kafka_<principal>_password  SCRAM-SHA-512 password of each stemflow principal (pipeline, gateway,
#                                     bridge, archiver, registry, operator: user stemflow-<principal>), set in Kafka
#                                     by the one-shot kafka-access service (stemflow kafka-access apply)
#   docker/secrets/kafka_broker_password, kafka_admin_password  the two PLAIN super users (the broker's connections
#                                     to itself and the controller; administration: topics, credentials, ACLs)
#   docker/secrets/kafka_jaas         the broker's JAAS file (both PLAIN users, SCRAM), rewritten when one is new
#   docker/secrets/kafka_admin_properties  Kafka client properties of the administrator, for the Kafka image's tools
#                                     (health check, topics): paths inside the containers, rewritten with kafka_jaas
#   docker/secrets/kafka_keystore, kafka_keystore_password  the broker's key and self-signed certificate (PKCS12,
#                                     EC P-256, ten years; names kafka, localhost, 127.0.0.1 and STEMFLOW_KAFKA_TLS_NAMES)
#   docker/secrets/kafka_certificate  that certificate in PEM: the trust store of every client (no password)
#   Rotate a password: write the new one into its file (or delete the file and run this again), then
#   `docker compose up -d` (docs: docker/README.md). Delete kafka_keystore and run this again for a new certificate.
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
write s3_secret_access_key "$(random_hex 32)"

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

# ---- Kafka ----------------------------------------------------------------------------------------
new_kafka=""
for principal in pipeline gateway bridge archiver registry operator; do
  write "kafka_${principal}_password" "$(random_hex 24)"
done
for name in kafka_broker_password kafka_admin_password; do
  [[ -s "$dir/$name" ]] || new_kafka=yes
  write "$name" "$(random_hex 24)"
done
if [[ -n "$new_kafka" || ! -s "$dir/kafka_jaas" || ! -s "$dir/kafka_admin_properties" ]]; then
  broker_password="$(head -n 1 "$dir/kafka_broker_password")"
  admin_password="$(head -n 1 "$dir/kafka_admin_password")"
  # one KafkaServer context for every listener: PLAIN (the two static super users) and SCRAM (credentials in
  # the cluster's metadata); the broker logs in to itself and to the controller as "broker"
  cat > "$dir/kafka_jaas" <<JAAS
KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required
    username="broker" password="$broker_password"
    user_broker="$broker_password" user_admin="$admin_password";
  org.apache.kafka.common.security.scram.ScramLoginModule required;
};
JAAS
  cat > "$dir/kafka_admin_properties" <<PROPERTIES
# the Kafka administrator (a super user), for kafka-*.sh --command-config inside the containers
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$admin_password";
ssl.truststore.type=PEM
ssl.truststore.location=/run/secrets/kafka_certificate
PROPERTIES
  unset broker_password admin_password
  chmod 644 "$dir/kafka_jaas" "$dir/kafka_admin_properties"
  echo "init-secrets: wrote $dir/kafka_jaas and $dir/kafka_admin_properties"
fi

# The broker's TLS: a self-signed certificate for the names clients reach it by (kafka in the compose network,
# localhost on the host; STEMFLOW_KAFKA_TLS_NAMES adds more, comma-separated), made with the JDK's keytool, else
# OpenSSL. The store password reaches keytool through its environment, never its command line.
if [[ ! -s "$dir/kafka_keystore" || ! -s "$dir/kafka_certificate" ]]; then
  names="dns:kafka,dns:localhost,ip:127.0.0.1"
  IFS=',' read -r -a more <<< "${STEMFLOW_KAFKA_TLS_NAMES:-}"
  for name in "${more[@]}"; do
    [[ -n "$name" ]] && names+=",dns:$name"
  done
  rm -f "$dir/kafka_keystore_password" "$dir/kafka_keystore" "$dir/kafka_certificate"
  write kafka_keystore_password "$(random_hex 24)"
  work="$(mktemp -d)"
  if command -v keytool > /dev/null; then
    STORE_PASS="$(head -n 1 "$dir/kafka_keystore_password")" keytool -genkeypair -alias kafka -keyalg EC \
      -groupname secp256r1 -sigalg SHA256withECDSA -validity 3650 -dname "CN=kafka, O=stemflow compose" \
      -ext "SAN=$names" -keystore "$work/keystore.p12" -storetype PKCS12 \
      -storepass:env STORE_PASS -keypass:env STORE_PASS > "$work/log" 2>&1 \
    && STORE_PASS="$(head -n 1 "$dir/kafka_keystore_password")" keytool -exportcert -rfc -alias kafka \
      -keystore "$work/keystore.p12" -storetype PKCS12 -storepass:env STORE_PASS -file "$work/certificate.pem" \
      >> "$work/log" 2>&1 \
    || { cat "$work/log" >&2; rm -rf "$work"; echo "init-secrets: keytool failed" >&2; exit 1; }
  elif command -v openssl > /dev/null; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 -days 3650 -nodes \
      -subj "/O=stemflow compose/CN=kafka" -addext "subjectAltName=$(sed 's/dns:/DNS:/g; s/ip:/IP:/g' <<< "$names")" \
      -keyout "$work/key.pem" -out "$work/certificate.pem" 2> "$work/log" \
    && openssl pkcs12 -export -name kafka -inkey "$work/key.pem" -in "$work/certificate.pem" \
      -passout "file:$dir/kafka_keystore_password" -out "$work/keystore.p12" 2>> "$work/log" \
    || { cat "$work/log" >&2; rm -rf "$work"; echo "init-secrets: openssl failed" >&2; exit 1; }
  else
    rm -rf "$work"
    echo "init-secrets: neither keytool (a JDK) nor openssl is installed: cannot make Kafka's certificate" >&2
    exit 1
  fi
  install -m 644 "$work/keystore.p12" "$dir/kafka_keystore"
  install -m 644 "$work/certificate.pem" "$dir/kafka_certificate"
  rm -rf "$work"
  echo "init-secrets: wrote $dir/kafka_keystore and $dir/kafka_certificate ($names)"
fi
