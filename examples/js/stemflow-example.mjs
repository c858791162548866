#!/usr/bin/env node
// How a JavaScript team uses stemflow through Kafka (docs/integration.md, section 11, "JavaScript").
//
// Three steps, one subcommand each:
//   produce  one SeparationRequest per taskId:audioId on separation-requests (key = requestId, UTF-8; value =
//            Avro in the Confluent wire format), done only once the broker acknowledged every one
//   consume  every StemReady of separation-stems and every JobStatus of separation-status, read committed,
//            offsets committed after handling; runs until Ctrl-C (SIGINT) or SIGTERM
//   replay   the latest dead letter of a failed job on separation-dlq, produced again as attempt + 1 with
//            replayOf = the dead letter's deadLetterId
//
// npm ci --prefix examples/js (kafkajs 2.x, @kafkajs/confluent-schema-registry 3.x), then:
//   node examples/js/stemflow-example.mjs --bootstrap-servers localhost:29092 --registry-url http://localhost:8081 \
//       --schemas schemas/src/main/avro produce --account label-a --batch catalogue-2026 --type SEPARATE_VOCAL \
//       task-1:audio-1 task-2:audio-2
//   node examples/js/stemflow-example.mjs ... consume --group my-team-archiver
//   node examples/js/stemflow-example.mjs ... replay --request-id catalogue-2026.task-1.audio-1.SEPARATE_VOCAL
//
// The schema id is looked up, never registered: the text looked up is the .avsc's own schema (named types of the
// other .avsc files inlined at their first use), which is what stemflow registered for each subject.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const REQUESTS = 'separation-requests';
const STEMS = 'separation-stems';
const STATUS = 'separation-status';
const DLQ = 'separation-dlq';
const NAMESPACE = 'io.stemflow.avro';
// kinds of dead letter that carry a request worth producing again (docs/integration.md section 8)
const REPLAYABLE = new Set(['PROVIDER_REJECTED', 'JOB_FAILED', 'TIMED_OUT']);
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

// ------------------------------------------------------------------ schemas from the .avsc files

/** Every .avsc of a directory, by full name. */
function loadAvsc(directory) {
  const byName = new Map();
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.avsc')).sort()) {
    const schema = JSON.parse(readFileSync(join(directory, file), 'utf8'));
    byName.set(schema.namespace ? `${schema.namespace}.${schema.name}` : schema.name, schema);
  }
  if (byName.size === 0) throw new Error(`no .avsc file in ${directory}`);
  return byName;
}

/** The record's whole schema as JSON text: every named type of another file defined inline at its first use. */
function schemaText(avsc, record) {
  const defined = new Set();
  const inline = (node, namespace) => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node)) return node;
      const fullName = node.includes('.') ? node : `${namespace}.${node}`;
      if (defined.has(fullName) || !avsc.has(fullName)) return node;  // defined already: refer to it by name
      return inline(avsc.get(fullName), namespace);
    }
    if (Array.isArray(node)) return node.map((branch) => inline(branch, namespace));
    const copy = { ...node };
    if (copy.name && ['record', 'enum', 'fixed', 'error'].includes(copy.type)) {
      const space = copy.name.includes('.') ? copy.name.slice(0, copy.name.lastIndexOf('.')) : (copy.namespace ?? namespace);
      defined.add(copy.name.includes('.') ? copy.name : `${space}.${copy.name}`);
      namespace = space;
    }
    if (copy.fields) copy.fields = copy.fields.map((field) => ({ ...field, type: inline(field.type, namespace) }));
    if (copy.items) copy.items = inline(copy.items, namespace);
    if (copy.values) copy.values = inline(copy.values, namespace);
    if (typeof copy.type !== 'string' || !PRIMITIVES.has(copy.type) && !['record', 'enum', 'fixed', 'error', 'array', 'map'].includes(copy.type)) {
      copy.type = inline(copy.type, namespace);
    }
    return copy;
  };
  return JSON.stringify(inline(`${NAMESPACE}.${record}`, NAMESPACE));
}

// ------------------------------------------------------------------ produce

async function produce(context, requests) {
  const { kafka, registry, avsc } = context;
  // a lookup (POST /subjects/{subject}): nothing registered; a subject that does not hold this schema answers 40403
  const id = await registry.getRegistryIdBySchema(`${REQUESTS}-value`,
    { type: SchemaType.AVRO, schema: schemaText(avsc, 'SeparationRequest') });
  // KafkaJS's defaults: acks -1 (all in-sync replicas), not idempotent, 5 retries, request timeout 30 s,
  // the Java-compatible (murmur2) partitioner
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });  // the default, named: no warning
  await producer.connect();
  try {
    const messages = [];
    for (const request of requests) {
      messages.push({ key: request.requestId, value: await registry.encode(id, request) });
    }
    // resolves once the broker acknowledged every message, throws otherwise: produce them again, it is safe
    await producer.send({ topic: REQUESTS, messages });
  } finally {
    await producer.disconnect();
  }
  console.log(`${requests.length} requests acknowledged on ${REQUESTS} (schema id ${id})`);
}

/** A first attempt; the requestId is derived from what identifies the job, so a re-run reuses it. */
function request(account, batch, taskId, audioId, type) {
  return {
    requestId: [batch, taskId, audioId, type].join('.'),
    accountId: account,
    batchId: batch,
    taskId,
    audioId,
    type,
    requestedAt: Date.now(),   // timestamp-millis: a number of milliseconds
    attempt: 1,
    replayOf: null,
    labels: { source: 'stemflow-example.mjs' },
    priority: 'NORMAL',
  };
}

/** The request that replays a failed job: the same job, attempt + 1, replayOf = the dead letter's id. */
function replayOf(deadLetter) {
  const failed = deadLetter.request;
  if (!failed) throw new Error(`dead letter ${deadLetter.deadLetterId} (${deadLetter.kind}) carries no request`);
  return { ...failed, requestedAt: Date.now(), attempt: failed.attempt + 1, replayOf: deadLetter.deadLetterId };
}

// ------------------------------------------------------------------ consume

/** Decodes with the writer's schema (fetched by id, cached) resolved to the record's .avsc schema. */
function decoder(context, record) {
  const readerSchema = schemaText(context.avsc, record);
  return (buffer) => context.registry.decode(buffer, { [SchemaType.AVRO]: { readerSchema } });
}

async function consume(context, group) {
  const consumer = context.kafka.consumer({ groupId: group, readUncommitted: false });  // read committed only
  const decode = { [STEMS]: decoder(context, 'StemReady'), [STATUS]: decoder(context, 'JobStatus') };
  await consumer.connect();
  await consumer.subscribe({ topics: [STEMS, STATUS], fromBeginning: true });  // a new group starts at the beginning
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.disconnect();
    console.log('stopped');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await consumer.run({
    autoCommit: false,   // committed after handling, below
    eachMessage: async ({ topic, partition, message }) => {
      handle(topic, message.key.toString('utf8'), await decode[topic](message.value));
      // handled: at least once, so handling is idempotent (requestId + stem)
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
  console.log(`consuming ${STEMS} and ${STATUS} as group ${group}`);
}

/** Here a team would archive the stem (idempotently: requestId + stem) or track the job. */
function handle(topic, key, value) {
  if (topic === STEMS) {
    console.log(`stem ${key} ${value.stem} attempt ${value.attempt} ${value.url} `
      + `(copy it before ${new Date(value.expiresAt).toISOString()})`);
  } else {
    console.log(`status ${key} ${value.state} attempt ${value.attempt}${value.reason ? `: ${value.reason}` : ''}`);
  }
}

// ------------------------------------------------------------------ replay

/**
 * The dead letter of the request's latest failed attempt, reading separation-dlq from its start to where it ended
 * when the replay started. Job failures are keyed by requestId. Nothing is committed: each run reads it all.
 */
async function latestDeadLetter(context, requestId, timeoutMs) {
  const admin = context.kafka.admin();
  await admin.connect();
  let offsets;
  try {
    offsets = await admin.fetchTopicOffsets(DLQ);   // offset: the last stable offset (read committed)
  } finally {
    await admin.disconnect();
  }
  const ends = new Map(offsets.filter((p) => BigInt(p.offset) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.offset)]));
  const decode = decoder(context, 'DeadLetter');
  const consumer = context.kafka.consumer({ groupId: `stemflow-replay-${randomUUID()}`, readUncommitted: false });
  let found = null;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  // a batch's last offset counts transaction markers too, which the handler never sees
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (BigInt(payload.lastOffset) + 1n >= (ends.get(payload.partition) ?? 0n)) ends.delete(payload.partition);
    if (ends.size === 0) done();
  });
  await consumer.connect();
  try {
    if (ends.size > 0) {
      await consumer.subscribe({ topics: [DLQ], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (message.key?.toString('utf8') !== requestId) return;
          const deadLetter = await decode(message.value);
          if (REPLAYABLE.has(deadLetter.kind) && deadLetter.request
              && (!found || deadLetter.request.attempt > found.request.attempt)) {
            found = deadLetter;
          }
        },
      });
      let timer;
      await Promise.race([finished, new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${DLQ} not read to its end within ${timeoutMs / 1000} s`)), timeoutMs);
      })]).finally(() => clearTimeout(timer));
    }
  } finally {
    await consumer.disconnect();
  }
  return found;
}

async function replay(context, requestId, timeoutMs) {
  const deadLetter = await latestDeadLetter(context, requestId, timeoutMs);
  if (!deadLetter) {
    throw new Error(`no replayable dead letter (${[...REPLAYABLE].join(', ')}) of ${requestId} on ${DLQ}`);
  }
  console.log(`dead letter ${deadLetter.deadLetterId} ${deadLetter.kind} code ${deadLetter.code}: ${deadLetter.reason}`);
  const again = replayOf(deadLetter);
  await produce(context, [again]);
  console.log(`replayed ${again.requestId} as attempt ${again.attempt} (replayOf ${again.replayOf})`);
}

// ------------------------------------------------------------------ driver

function context(options) {
  const auth = options['registry-user']
    ? { username: options['registry-user'], password: readFileSync(options['registry-password-file'], 'utf8').trim() }
    : undefined;
  return {
    kafka: new Kafka({
      clientId: 'stemflow-example-js',
      brokers: options['bootstrap-servers'].split(','),
      logLevel: logLevel.WARN,
    }),
    registry: new SchemaRegistry({ host: options['registry-url'], auth }),
    avsc: loadAvsc(options.schemas),
  };
}

const USAGE = `usage: stemflow-example.mjs --bootstrap-servers B --registry-url URL [--registry-user U --registry-password-file F]
       --schemas DIR [--timeout SECONDS]
       produce --account A --batch B --type SEPARATE_VOCAL|SPLIT_STEM taskId:audioId...
     | consume --group G
     | replay --request-id ID`;

async function main(argv) {
  const { values: options, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'bootstrap-servers': { type: 'string' },
      'registry-url': { type: 'string' },
      'registry-user': { type: 'string' },
      'registry-password-file': { type: 'string' },
      schemas: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      account: { type: 'string' },
      batch: { type: 'string' },
      type: { type: 'string' },
      group: { type: 'string' },
      'request-id': { type: 'string' },
    },
  });
  const [step, ...jobs] = positionals;
  const required = { produce: ['account', 'batch', 'type'], consume: ['group'], replay: ['request-id'] }[step];
  const missing = ['bootstrap-servers', 'registry-url', 'schemas', ...(required ?? [])].filter((o) => !options[o]);
  if (!required || missing.length > 0 || (step === 'produce' && jobs.length === 0)
      || (options['registry-user'] && !options['registry-password-file'])) {
    throw new Error(`${missing.length > 0 ? `missing --${missing.join(', --')}\n` : ''}${USAGE}`);
  }
  const ctx = context(options);
  if (step === 'produce') {
    if (!['SEPARATE_VOCAL', 'SPLIT_STEM'].includes(options.type)) throw new Error(`--type ${options.type}?\n${USAGE}`);
    const requests = jobs.map((job) => {
      const [taskId, audioId] = job.split(/:(.*)/s);
      if (!taskId || !audioId) throw new Error(`each job is taskId:audioId, not ${job}`);
      return request(options.account, options.batch, taskId, audioId, options.type);
    });
    await produce(ctx, requests);
  } else if (step === 'consume') {
    await consume(ctx, options.group);
  } else {
    await replay(ctx, options['request-id'], Number(options.timeout) * 1000);
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error?.message ?? error);
  process.exit(1);
});
