#!/usr/bin/env bash
# Checks monitoring/ (issue 19) with Prometheus' own promtool (Debian: apt-get install prometheus):
#   1. prometheus.yml is a valid configuration (checked on a copy whose token files exist: the real paths are the
#      compose secrets under /run/secrets, mounted only in the container)
#   2. alerts.yml's rules are valid, and 3. its unit tests (alerts.test.yml) pass
#   4. the Grafana dashboard is valid JSON with a ${DS_PROMETHEUS} input and unique panel ids, and each of its
#      queries parses (promtool, as a recording rule of a temporary file)
#   5. every metric named in alerts.yml and in the dashboard's queries is listed in monitoring/exported-metrics.txt
#      (which MonitoringMetricsOnStackTest holds to what the services really serve)
# Exit 0 when all hold; 1 naming what does not; 3 when promtool (or python3, for the JSON) is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

for tool in promtool python3; do
  if ! command -v "$tool" > /dev/null; then
    echo "monitoring/check.sh: $tool is not installed (promtool: apt-get install prometheus)" >&2
    exit 3
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. the configuration, with every credentials_file pointed into the temporary directory (same file names)
mkdir -p "$work/prometheus" "$work/secrets"
grep -o 'credentials_file: *[^ ]*' prometheus/prometheus.yml | sed 's/credentials_file: *//' | sort -u | while read -r file; do
  printf 'check-only-token\n' > "$work/secrets/$(basename "$file")"
done
sed -E "s#(credentials_file: *)[^ ]*/([^/ ]+)\$#\1$work/secrets/\2#" prometheus/prometheus.yml > "$work/prometheus/prometheus.yml"
cp prometheus/alerts.yml "$work/prometheus/alerts.yml"
promtool check config "$work/prometheus/prometheus.yml"

# 2. and 3. the rules and their tests
promtool check rules prometheus/alerts.yml
(cd prometheus && promtool test rules alerts.test.yml)

# 4. and 5. the dashboard, and every metric name against the list of exported ones
python3 - prometheus/alerts.yml grafana/stemflow-dashboard.json exported-metrics.txt "$work/dashboard-queries.yml" <<'PY'
import json, re, sys
alerts, dashboard, exported = sys.argv[1:4]
NAME = re.compile(r"\b(?:stemflow|kafka)_[a-z_]+\b")
known = {line.split()[0] for line in open(exported) if line.strip() and not line.startswith("#")}
problems = []

used = {}
for n, line in enumerate(open(alerts), 1):
    for name in NAME.findall(line):
        used.setdefault(name, f"{alerts}:{n}")

try:
    dash = json.load(open(dashboard))
except ValueError as e:
    sys.exit(f"{dashboard}: not valid JSON: {e}")
if dash.get("schemaVersion", 0) < 36:
    problems.append(f"{dashboard}: schemaVersion {dash.get('schemaVersion')} (Grafana 9+ expects 36 or later)")
if not any(i.get("name") == "DS_PROMETHEUS" for i in dash.get("__inputs", [])):
    problems.append(f"{dashboard}: no DS_PROMETHEUS input")
ids = [p["id"] for p in dash["panels"]]
if len(ids) != len(set(ids)):
    problems.append(f"{dashboard}: panel ids repeat")
queries = 0
for p in dash["panels"]:
    if p["type"] != "row" and p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
        problems.append(f"{dashboard}: panel '{p['title']}' does not use ${{DS_PROMETHEUS}}")
    for t in p.get("targets", []):
        queries += 1
        for name in NAME.findall(t["expr"]):
            used.setdefault(name, f"{dashboard}: panel '{p['title']}'")

# the panels' PromQL, parsed by promtool: each query as a recording rule of a temporary file ($window: 10 s)
with open(sys.argv[4], "w") as out:
    out.write("groups:\n  - name: dashboard-queries\n    rules:\n")
    n = 0
    for p in dash["panels"]:
        for t in p.get("targets", []):
            n += 1
            expr = t["expr"].replace("$window", "10")
            out.write(f"      - record: dashboard:query_{n}\n        expr: {json.dumps(expr)}\n")

for name, where in sorted(used.items()):
    if name not in known:
        problems.append(f"{where}: {name} is not in {exported} (no service is known to export it)")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"  SUCCESS: {len(dash['panels'])} panels, {queries} queries; {len(used)} metric names, each exported")
PY
promtool check rules "$work/dashboard-queries.yml" > /dev/null \
  || { promtool check rules "$work/dashboard-queries.yml"; echo "a dashboard query does not parse (above)" >&2; exit 1; }
echo "  SUCCESS: every dashboard query parses"
echo "monitoring/check.sh: all checks passed"
