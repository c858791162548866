#!/usr/bin/python3
"""How a Python team uses stemflow through Kafka (docs/integration.md, section 11, "Python").

Three steps, one subcommand each:

  produce  one SeparationRequest per taskId:audioId on separation-requests (key = requestId, UTF-8;
           value = Avro in the Confluent wire format), done only once the broker acknowledged every one
  consume  every StemReady of separation-stems and every JobStatus of separation-status, read committed,
           offsets committed after handling; runs until Ctrl-C (SIGINT) or SIGTERM
  replay   the latest dead letter of a failed job on separation-dlq, produced again as attempt + 1 with
           replayOf = the dead letter's deadLetterId

Needs only the standard library and Debian's packages (apt-get install python3-confluent-kafka python3-avro
python3-requests; run with /usr/bin/python3). Confluent's AvroSerializer needs fastavro, which Debian does not
package, so the Avro body is written and read with the Apache Avro library (python3-avro) behind the 5-byte
header (0x00, then the schema id as 4 bytes big-endian). The schema id is looked up, never registered: the text
looked up is the .avsc's own schema (named types of other .avsc files inlined), which is what stemflow
registered for each subject.

  /usr/bin/python3 stemflow_example.py --bootstrap-servers localhost:29092 --registry-url http://localhost:8081 \\
      --schemas schemas/src/main/avro produce --account label-a --batch catalogue-2026 --type SEPARATE_VOCAL \\
      task-1:audio-1 task-2:audio-2
  /usr/bin/python3 stemflow_example.py ... consume --group my-team-archiver
  /usr/bin/python3 stemflow_example.py ... replay --request-id catalogue-2026.task-1.audio-1.SEPARATE_VOCAL
"""

import argparse
import datetime
import io
import json
import os
import signal
import struct
import sys
import uuid

import avro.errors
import avro.io
import avro.name
import avro.schema
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

REQUESTS = "separation-requests"
STEMS = "separation-stems"
STATUS = "separation-status"
DLQ = "separation-dlq"
NAMESPACE = "io.stemflow.avro"
MAGIC = 0
# kinds of dead letter that carry a request worth producing again (docs/integration.md section 8)
REPLAYABLE = {"PROVIDER_REJECTED", "JOB_FAILED", "TIMED_OUT"}


# ---------------------------------------------------------------- schemas from the .avsc files

class AvscCatalogue:
    """Every .avsc of a directory, parsed into one avro.schema.Names (referenced files first)."""

    def __init__(self, directory):
        texts = {}
        for file in sorted(os.listdir(directory)):
            if file.endswith(".avsc"):
                with open(os.path.join(directory, file), encoding="utf-8") as f:
                    data = json.load(f)
                full_name = f"{data['namespace']}.{data['name']}" if data.get("namespace") else data["name"]
                texts[full_name] = data
        if not texts:
            raise SystemExit(f"no .avsc file in {directory}")
        self.names = avro.name.Names()
        self.schemas = {}
        for full_name in self._dependency_order(texts):
            self.schemas[full_name] = avro.schema.make_avsc_object(texts[full_name], self.names)

    @staticmethod
    def _dependency_order(texts):
        """Full names in an order where every named type comes after the types it references."""
        def references(node, found):
            if isinstance(node, str):
                if node in texts or f"{NAMESPACE}.{node}" in texts:
                    found.add(node if node in texts else f"{NAMESPACE}.{node}")
            elif isinstance(node, list):
                for item in node:
                    references(item, found)
            elif isinstance(node, dict):
                for key in ("type", "items", "values", "fields"):
                    if key in node:
                        references(node[key], found)
            return found

        ordered, visiting = [], set()

        def visit(name):
            if name in ordered:
                return
            if name in visiting:
                raise SystemExit(f"named types reference each other across files: {name}")
            visiting.add(name)
            for dependency in sorted(references(texts[name].get("fields", []), set()) - {name}):
                visit(dependency)
            visiting.discard(name)
            ordered.append(name)

        for full_name in sorted(texts):
            visit(full_name)
        return ordered

    def schema(self, record):
        """The parsed schema of a record, e.g. 'SeparationRequest'."""
        return self.schemas[f"{NAMESPACE}.{record}"]

    def text(self, record):
        """The record's whole schema as JSON text, every named type defined inline at its first use."""
        return json.dumps(self.schema(record).to_json(avro.name.Names()))


# ---------------------------------------------------------------- Confluent wire format with python3-avro

class EnumDefaultReader(avro.io.DatumReader):
    """A DatumReader that reads an enum symbol the reader's schema does not know as the enum's default.

    The Avro specification (and Java's reader) does so; python3-avro 1.11 raises SchemaResolutionException
    instead. stemflow's enums all default to UNKNOWN, so a consumer built on older .avsc files reads a symbol
    added later as UNKNOWN (docs/integration.md section 5)."""

    def read_enum(self, writers_schema, readers_schema, decoder):
        index = decoder.read_int()
        if index >= len(writers_schema.symbols):
            raise avro.errors.SchemaResolutionException(
                f"enum index {index} out of {len(writers_schema.symbols)} symbols", writers_schema, readers_schema)
        symbol = writers_schema.symbols[index]
        if symbol in readers_schema.symbols:
            return symbol
        if readers_schema.get_prop("default") is not None:
            return readers_schema.get_prop("default")
        raise avro.errors.SchemaResolutionException(f"symbol {symbol} not in the reader's schema", writers_schema,
                                                    readers_schema)


class WireFormat:
    """Avro values behind the Confluent header (0x00, 4-byte big-endian schema id), ids from the registry."""

    def __init__(self, registry, catalogue):
        self.registry = registry
        self.catalogue = catalogue
        self.writer_schemas = {}   # schema id -> parsed writer schema

    def lookup_id(self, subject, record):
        """The id of the record's .avsc schema under the subject; nothing is registered (auto.register.schemas=false).

        A subject that does not hold this schema answers 40403: the registry has another schema for it."""
        return self.registry.lookup_schema(subject, Schema(self.catalogue.text(record), "AVRO")).schema_id

    def encode(self, schema_id, record, value):
        body = io.BytesIO()
        body.write(struct.pack(">bI", MAGIC, schema_id))
        avro.io.DatumWriter(self.catalogue.schema(record)).write(value, avro.io.BinaryEncoder(body))
        return body.getvalue()

    def decode(self, data, record):
        """The value read with the writer's schema (fetched by id, kept) resolved to the record's .avsc schema."""
        if data is None or len(data) < 5 or data[0] != MAGIC:
            raise ValueError("not the Confluent wire format")
        schema_id = struct.unpack(">I", data[1:5])[0]
        if schema_id not in self.writer_schemas:
            self.writer_schemas[schema_id] = avro.schema.parse(self.registry.get_schema(schema_id).schema_str)
        reader = EnumDefaultReader(self.writer_schemas[schema_id], self.catalogue.schema(record))
        return reader.read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))


# ---------------------------------------------------------------- produce

def produce(config, wire, requests):
    """Sends the requests keyed by requestId; returns once the broker acknowledged every one, else raises."""
    schema_id = wire.lookup_id(REQUESTS + "-value", "SeparationRequest")
    # the client's defaults: librdkafka's acks=all, retries for up to message.timeout.ms (5 min), not idempotent
    producer = Producer({"bootstrap.servers": config.bootstrap_servers})
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(f"{msg.key().decode('utf-8')}: {err}")

    for request in requests:
        producer.produce(REQUESTS, key=request["requestId"].encode("utf-8"),
                         value=wire.encode(schema_id, "SeparationRequest", request), on_delivery=delivered)
        producer.poll(0)
    left = producer.flush(config.timeout)   # serves the delivery reports
    if left or failures:
        # not stored (or not known to be): produce them again, it is safe (stemflow keeps one job per requestId)
        raise SystemExit(f"{left} requests unacknowledged after {config.timeout} s; failed: {failures}")
    print(f"{len(requests)} requests acknowledged on {REQUESTS} (schema id {schema_id})", flush=True)


def request(account, batch, task_id, audio_id, separation_type):
    """A first attempt; the requestId is derived from what identifies the job, so a re-run reuses it."""
    return {
        "requestId": ".".join((batch, task_id, audio_id, separation_type)),
        "accountId": account,
        "batchId": batch,
        "taskId": task_id,
        "audioId": audio_id,
        "type": separation_type,
        "requestedAt": datetime.datetime.now(datetime.timezone.utc),
        "attempt": 1,
        "replayOf": None,
        "labels": {"source": "stemflow_example.py"},
        "priority": "NORMAL",
    }


def replay_of(dead_letter):
    """The request that replays a failed job: the same job, attempt + 1, replayOf = the dead letter's id."""
    failed = dead_letter["request"]
    if failed is None:
        raise SystemExit(f"dead letter {dead_letter['deadLetterId']} ({dead_letter['kind']}) carries no request")
    return dict(failed, requestedAt=datetime.datetime.now(datetime.timezone.utc), attempt=failed["attempt"] + 1,
                replayOf=dead_letter["deadLetterId"])


# ---------------------------------------------------------------- consume

def consumer_config(config, group):
    return {
        "bootstrap.servers": config.bootstrap_servers,
        "group.id": group,
        "isolation.level": "read_committed",   # never records of aborted transactions (section 6)
        "auto.offset.reset": "earliest",       # a new group starts at the beginning
        "enable.auto.commit": False,           # committed after handling, below
    }


def consume(config, wire):
    """Prints every stem and status until SIGINT or SIGTERM; commits the offsets of what it has handled."""
    running = [True]

    def stop(signum, frame):
        running[0] = False

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    consumer = Consumer(consumer_config(config, config.group))
    consumer.subscribe([STEMS, STATUS])
    print(f"consuming {STEMS} and {STATUS} as group {config.group}", flush=True)
    try:
        while running[0]:
            messages = consumer.consume(num_messages=500, timeout=1.0)
            for msg in messages:
                if msg.error():
                    raise KafkaException(msg.error())
                handle(msg.topic(), msg.key().decode("utf-8"), wire.decode(msg.value(), record_of(msg.topic())))
            if messages:
                consumer.commit(asynchronous=False)   # handled: at least once, so handling is idempotent
    finally:
        consumer.close()
    print("stopped", flush=True)


def record_of(topic):
    return {STEMS: "StemReady", STATUS: "JobStatus", DLQ: "DeadLetter"}[topic]


def handle(topic, key, value):
    """Here a team would archive the stem (idempotently: requestId + stem) or track the job."""
    if topic == STEMS:
        print(f"stem {key} {value['stem']} attempt {value['attempt']} {value['url']} "
              f"(copy it before {value['expiresAt'].isoformat()})", flush=True)
    else:
        reason = f": {value['reason']}" if value["reason"] else ""
        print(f"status {key} {value['state']} attempt {value['attempt']}{reason}", flush=True)


# ---------------------------------------------------------------- replay

def latest_dead_letter(config, wire, request_id):
    """The dead letter of the request's latest failed attempt, reading separation-dlq from its start to its end.

    Job failures are keyed by requestId. Nothing is committed: each run reads the whole topic."""
    consumer = Consumer(dict(consumer_config(config, f"stemflow-replay-{uuid.uuid4()}"), **{"enable.partition.eof": True}))
    try:
        partitions = consumer.list_topics(DLQ, timeout=config.timeout).topics[DLQ].partitions
        consumer.assign([TopicPartition(DLQ, p, 0) for p in partitions])   # 0 = earliest offset kept
        left, found = set(partitions), None
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=config.timeout)
        while left:
            if datetime.datetime.now() > deadline:
                raise SystemExit(f"{DLQ} not read to its end within {config.timeout} s")
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    left.discard(msg.partition())
                    continue
                raise KafkaException(msg.error())
            if msg.key() is None or msg.key().decode("utf-8") != request_id:
                continue
            dead_letter = wire.decode(msg.value(), "DeadLetter")
            if dead_letter["kind"] in REPLAYABLE and dead_letter["request"] is not None and (
                    found is None or dead_letter["request"]["attempt"] > found["request"]["attempt"]):
                found = dead_letter
        return found
    finally:
        consumer.close()


def replay(config, wire):
    dead_letter = latest_dead_letter(config, wire, config.request_id)
    if dead_letter is None:
        raise SystemExit(f"no replayable dead letter ({', '.join(sorted(REPLAYABLE))}) of {config.request_id} "
                         f"on {DLQ}")
    print(f"dead letter {dead_letter['deadLetterId']} {dead_letter['kind']} code {dead_letter['code']}: "
          f"{dead_letter['reason']}", flush=True)
    again = replay_of(dead_letter)
    produce(config, wire, [again])
    print(f"replayed {again['requestId']} as attempt {again['attempt']} (replayOf {again['replayOf']})", flush=True)


# ---------------------------------------------------------------- driver

def registry_client(config):
    settings = {"url": config.registry_url}
    if config.registry_user:
        if not config.registry_password_file:
            raise SystemExit("--registry-user needs --registry-password-file")
        with open(config.registry_password_file, encoding="utf-8") as f:
            settings["basic.auth.user.info"] = f"{config.registry_user}:{f.read().strip()}"
    return SchemaRegistryClient(settings)


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--registry-url", required=True)
    parser.add_argument("--registry-user", help="registry user (HTTP basic), when the registry needs one")
    parser.add_argument("--registry-password-file", help="file holding that user's password")
    parser.add_argument("--schemas", required=True, help="directory of stemflow's .avsc files")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for acknowledgements")
    steps = parser.add_subparsers(dest="step", required=True)
    p = steps.add_parser("produce", help="produce first attempts")
    p.add_argument("--account", required=True)
    p.add_argument("--batch", required=True)
    p.add_argument("--type", required=True, choices=["SEPARATE_VOCAL", "SPLIT_STEM"])
    p.add_argument("jobs", nargs="+", metavar="taskId:audioId")
    c = steps.add_parser("consume", help="print stems and statuses until Ctrl-C")
    c.add_argument("--group", required=True, help="your own consumer group id")
    r = steps.add_parser("replay", help="replay the latest failure of a job from its dead letter")
    r.add_argument("--request-id", required=True)
    return parser.parse_args(argv)


def main(argv):
    config = arguments(argv)
    wire = WireFormat(registry_client(config), AvscCatalogue(config.schemas))
    if config.step == "produce":
        jobs = [job.split(":", 1) for job in config.jobs]
        if any(len(ids) != 2 for ids in jobs):
            raise SystemExit("each job is taskId:audioId")
        produce(config, wire, [request(config.account, config.batch, t, a, config.type) for t, a in jobs])
    elif config.step == "consume":
        consume(config, wire)
    else:
        replay(config, wire)


if __name__ == "__main__":
    main(sys.argv[1:])
