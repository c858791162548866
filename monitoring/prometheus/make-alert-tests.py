#!/usr/bin/env python3
# Usage: python3 monitoring/prometheus/make-alert-tests.py .   (from the repository root; needs python3-yaml)
# Run it after changing alerts.yml's wording, then `bash monitoring/check.sh`; the cases (series, times, the labels
# and values an alert must carry) are written here by hand, only the annotations' text is taken from alerts.yml.
"""Writes monitoring/prometheus/alerts.test.yml: the annotations each test expects are alerts.yml's own, rendered
with the labels and value the test states, so a change of wording shows up as a failing test only when it changes
what an operator reads for that case."""
import re, sys, yaml
root = sys.argv[1]
rules = {}
for g in yaml.safe_load(open(f"{root}/monitoring/prometheus/alerts.yml"))["groups"]:
    for r in g["rules"]:
        rules[r["alert"]] = r

def render(text, labels, value):
    text = re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m.group(1)], text)
    text = re.sub(r"\{\{ \$value \| (humanize|humanizeDuration|printf \"%\.0f\") \}\}", lambda m: value, text)
    assert "{{" not in text, text
    return text

GW = {"job": "stemflow-gateway", "instance": "gateway:8091", "service": "gateway"}
PL = {"job": "stemflow-pipeline", "instance": "pipeline:7070", "service": "pipeline"}
AR = {"job": "stemflow-archiver", "instance": "archiver:8093", "service": "archiver"}
BR = {"job": "stemflow-bridge", "instance": "bridge:8090", "service": "bridge"}

def sel(name, base, **extra):
    labels = dict(base, **extra)
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"

def expect(alert, labels, value=None):
    r = rules[alert]
    all_labels = dict(labels, **r["labels"])
    ann = {k: render(v, all_labels, value) for k, v in r["annotations"].items()}
    return {"exp_labels": all_labels, "exp_annotations": ann}

tests = []
def case(name, series, checks):
    tests.append({"name": name, "interval": "1m",
                  "input_series": [{"series": s, "values": v} for s, v in series],
                  "alert_rule_test": [{"eval_time": t, "alertname": a, "exp_alerts": e} for t, a, e in checks]})

# --- provider
case("430/405 refusals, sustained, fire; a few, or many 200s, do not",
     [(sel("stemflow_provider_calls_total", GW, endpoint="generate", code="430"), "0+2x30"),
      (sel("stemflow_provider_calls_total", GW, endpoint="generate", code="200"), "0+100x30")],
     [("25m", "StemflowProviderRefusingForRate", [expect("StemflowProviderRefusingForRate", {"job": "stemflow-gateway"}, "20")])])
case("a 430 now and then does not fire",
     [(sel("stemflow_provider_calls_total", GW, endpoint="generate", code="430"), "0+0.2x60"),
      (sel("stemflow_provider_calls_total", GW, endpoint="record-info", code="405"), "0+0.2x60")],
     [("60m", "StemflowProviderRefusingForRate", [])])
case("out of credits: a 429 and jobs held fire after 2 minutes",
     [(sel("stemflow_gateway_jobs_waiting_credits", GW), "0 0 12 12 12 12 12 12"),
      (sel("stemflow_provider_calls_total", GW, endpoint="generate", code="429"), "0 0 1 1 1 1 1 1")],
     [("1m", "StemflowProviderOutOfCredits", []),
      ("5m", "StemflowProviderOutOfCredits", [expect("StemflowProviderOutOfCredits", {"job": "stemflow-gateway"})])])
case("credits: nothing held and no 429 does not fire",
     [(sel("stemflow_gateway_jobs_waiting_credits", GW), "0x30"),
      (sel("stemflow_provider_calls_total", GW, endpoint="generate", code="200"), "0+10x30")],
     [("30m", "StemflowProviderOutOfCredits", [])])
case("maintenance: the circuit open for 5 minutes fires",
     [(sel("stemflow_gateway_circuit_state", GW), "0 0 1 1 1 1 1 1 1 1"),
      (sel("stemflow_provider_calls_total", GW, endpoint="generate", code="455"), "0 0 1 1 2 2 3 3 4 4")],
     [("5m", "StemflowProviderMaintenance", []),
      ("8m", "StemflowProviderMaintenance", [expect("StemflowProviderMaintenance", {"job": "stemflow-gateway"})])])
case("maintenance: the circuit closed again after 2 minutes and no 455 since does not fire",
     [(sel("stemflow_gateway_circuit_state", GW), "0 1 1 0x30"),
      (sel("stemflow_provider_calls_total", GW, endpoint="generate", code="455"), "0 1 1 1x30")],
     [("20m", "StemflowProviderMaintenance", [])])
case("a halted gateway fires",
     [(sel("stemflow_gateway_halted", GW), "0 1 1 1 1")],
     [("4m", "StemflowGatewayHalted", [expect("StemflowGatewayHalted", {"job": "stemflow-gateway", "instance": "gateway:8091"})])])
case("no active gateway fires; one active of two does not",
     [(sel("stemflow_gateway_active", GW), "1 1 0x10"),
      (sel("stemflow_gateway_active", dict(GW, instance="gateway-2:8091")), "0 0 0 0 1x10")],
     [("3m", "StemflowNoActiveGateway", []),
      ("10m", "StemflowNoActiveGateway", [])])
case("no active gateway for 5 minutes fires",
     [(sel("stemflow_gateway_active", GW), "1 0x10"),
      (sel("stemflow_gateway_active", dict(GW, instance="gateway-2:8091")), "0x10")],
     [("8m", "StemflowNoActiveGateway", [expect("StemflowNoActiveGateway", {"job": "stemflow-gateway"})])])

# --- dead letters
case("corrupt records on the pipeline fire at once",
     [(sel("stemflow_topology_events_total", PL, event="corrupt_record"), "0x5 3x10"),
      (sel("stemflow_topology_events_total", PL, event="duplicate_result"), "0+5x15")],
     [("4m", "StemflowDeadLettersGrowing", []),
      ("20m", "StemflowDeadLettersGrowing", [expect("StemflowDeadLettersGrowing", {"job": "stemflow-pipeline"}, "3")])])
case("the gateway's dead letters fire",
     [(sel("stemflow_gateway_dead_letters_total", GW, loop="submitter", kind="CORRUPT_RECORD"), "0x5 2x10")],
     [("20m", "StemflowDeadLettersGrowing", [expect("StemflowDeadLettersGrowing", {"job": "stemflow-gateway"}, "2")])])
case("duplicates and late results are no dead letters",
     [(sel("stemflow_topology_events_total", PL, event="duplicate_result"), "0+5x30"),
      (sel("stemflow_topology_events_total", PL, event="corrupt_record"), "0x30")],
     [("30m", "StemflowDeadLettersGrowing", [])])
case("jobs rejected by the provider fire",
     [(sel("stemflow_gateway_outcomes_total", GW, status="REJECTED", code="400"), "0+2x30"),
      (sel("stemflow_gateway_outcomes_total", GW, status="ACCEPTED", code="200"), "0+20x30")],
     [("25m", "StemflowJobsRejected", [expect("StemflowJobsRejected", {"job": "stemflow-gateway", "code": "400"}, "30")])])
case("a few rejected jobs do not fire",
     [(sel("stemflow_gateway_outcomes_total", GW, status="REJECTED", code="413"), "0+0.2x30")],
     [("25m", "StemflowJobsRejected", [])])
case("stems the archiver could not copy fire",
     [(sel("stemflow_archiver_stems_failed_total", AR), "0x5 4x10"),
      (sel("stemflow_archiver_stems_archived_total", AR), "0+50x15")],
     [("4m", "StemflowArchiveFailures", []),
      ("30m", "StemflowArchiveFailures", [expect("StemflowArchiveFailures", {"job": "stemflow-archiver"}, "4")])])

# --- lag
STREAM = "stemflow-pipeline-0b5b3c2e-1c8f-4f51-9f0e-1d1f0c6a8e11-StreamThread-1"
case("the pipeline's stream thread behind for 15 minutes fires",
     [(sel("kafka_consumer_fetch_manager_records_lag_max", PL, client_id=STREAM + "-consumer", kafka_version="4.1.0"), "20000x20")],
     [("10m", "StemflowPipelineLagHigh", []),
      ("20m", "StemflowPipelineLagHigh", [expect("StemflowPipelineLagHigh", {"job": "stemflow-pipeline", "instance": "pipeline:7070"}, "20k")])])
case("the pipeline's restore consumer, or a short lag, does not fire",
     [(sel("kafka_consumer_fetch_manager_records_lag_max", PL, client_id=STREAM + "-restore-consumer", kafka_version="4.1.0"), "500000x30"),
      (sel("kafka_consumer_fetch_manager_records_lag_max", PL, client_id=STREAM + "-consumer", kafka_version="4.1.0"), "300000x5 0x25")],
     [("30m", "StemflowPipelineLagHigh", [])])
case("the gateway's submitter behind for 15 minutes fires",
     [(sel("kafka_consumer_fetch_manager_records_lag_max", GW, client_id="stemflow-gateway-gateway-1-submitter", kafka_version="4.1.0"), "2000x20"),
      (sel("kafka_consumer_fetch_manager_records_lag_max", GW, client_id="stemflow-gateway-gateway-1-reconciler", kafka_version="4.1.0"), "3x20")],
     [("20m", "StemflowGatewayLagHigh", [expect("StemflowGatewayLagHigh", {"job": "stemflow-gateway", "client_id": "stemflow-gateway-gateway-1-submitter"}, "2k")])])
case("a standby gateway (no partitions: NaN) does not fire",
     [(sel("kafka_consumer_fetch_manager_records_lag_max", GW, client_id="stemflow-gateway-gateway-2-submitter", kafka_version="4.1.0"), " ".join(["NaN"] * 31))],
     [("30m", "StemflowGatewayLagHigh", [])])
case("a bridge that cannot write to Kafka fires after 2 minutes",
     [(sel("stemflow_bridge_kafka_ready", BR), "1 1 0 0 0 0 0")],
     [("3m", "StemflowBridgeKafkaUnavailable", []),
      ("5m", "StemflowBridgeKafkaUnavailable", [expect("StemflowBridgeKafkaUnavailable", {"job": "stemflow-bridge", "instance": "bridge:8090"})])])
case("slow acknowledgements fire",
     [(sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="0.5"), "0+0x20"),
      (sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="1.0"), "0+0x20"),
      (sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="5.0"), "0+60x20"),
      (sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="+Inf"), "0+60x20")],
     [("20m", "StemflowBridgeProduceSlow", [expect("StemflowBridgeProduceSlow", {"job": "stemflow-bridge"}, "4.96s")])])
case("fast acknowledgements do not fire",
     [(sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="0.5"), "0+60x20"),
      (sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="1.0"), "0+60x20"),
      (sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="5.0"), "0+60x20"),
      (sel("stemflow_bridge_produce_latency_seconds_bucket", BR, result="acknowledged", le="+Inf"), "0+60x20")],
     [("20m", "StemflowBridgeProduceSlow", [])])
case("the archiver behind by 5000 stems for 30 minutes fires",
     [(sel("stemflow_archiver_lag", AR), "5000x40")],
     [("20m", "StemflowArchiverLagHigh", []),
      ("35m", "StemflowArchiverLagHigh", [expect("StemflowArchiverLagHigh", {"job": "stemflow-archiver", "instance": "archiver:8093"}, "5k")])])
case("the archiver's announcer behind fires",
     [(sel("kafka_consumer_fetch_manager_records_lag_max", AR, client_id="stemflow-archiver-9d1f-StreamThread-1-consumer", kafka_version="4.1.0"), "4000x20"),
      (sel("kafka_consumer_fetch_manager_records_lag_max", AR, client_id="stemflow-archiver-worker-archiver-1", kafka_version="4.1.0"), "9000x20")],
     [("20m", "StemflowArchiveAnnouncerLagHigh", [expect("StemflowArchiveAnnouncerLagHigh", {"job": "stemflow-archiver", "instance": "archiver:8093"}, "4k")])])

# --- archive, services
case("the archive behind for 5 minutes fires; a minute of it does not",
     [(sel("stemflow_archiver_behind", AR), "0 1 0 0 0 1 1 1 1 1 1 1")],
     [("4m", "StemflowArchiveBehind", []),
      ("11m", "StemflowArchiveBehind", [expect("StemflowArchiveBehind", {"job": "stemflow-archiver", "instance": "archiver:8093"})])])
case("a service down for 2 minutes fires; prometheus itself is not ours",
     [('up{job="stemflow-gateway",instance="gateway:8091",service="gateway"}', "1 0 0 0 0"),
      ('up{job="stemflow-pipeline",instance="pipeline:7070",service="pipeline"}', "1 1 1 1 1"),
      ('up{job="prometheus",instance="localhost:9090"}', "0 0 0 0 0")],
     [("4m", "StemflowServiceDown", [expect("StemflowServiceDown", {"job": "stemflow-gateway", "instance": "gateway:8091", "service": "gateway"})])])

doc = {"rule_files": ["alerts.yml"], "evaluation_interval": "1m", "tests": tests}
header = ("# Written by make-alert-tests.py (edit the cases there). promtool test rules alerts.test.yml\n"
          "# (monitoring/check.sh runs it): each alert of\n"
          "# alerts.yml fires on a case made for it, with its labels and annotations as the operator reads them, and\n"
          "# stays quiet where it should. The expected annotations are alerts.yml's text rendered for each case.\n")
with open(f"{root}/monitoring/prometheus/alerts.test.yml", "w") as f:
    f.write(header)
    yaml.safe_dump(doc, f, sort_keys=False, width=1000, allow_unicode=True)
