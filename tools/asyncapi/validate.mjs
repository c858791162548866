#!/usr/bin/env node
// Validates an AsyncAPI document with the official AsyncAPI parser (@asyncapi/parser) and its Avro schema
// parser (@asyncapi/avro-schema-parser), and exits non-zero on any error-severity diagnostic.
//
//   npm ci --prefix tools/asyncapi && node tools/asyncapi/validate.mjs docs/asyncapi.yaml
//
// The document is read from its file path, so relative $refs (the .avsc files of schemas/src/main/avro/)
// resolve. Every diagnostic is printed (warnings too); only errors fail.
//
// Two things the parser does not do by itself for an AsyncAPI 3 document, done here with its own parts:
//  - Named Avro types defined in other files. A record .avsc refers to enums and records of other .avsc files
//    by full name ("type": "io.stemflow.avro.Stem"), as Avro's own Schema.Parser allows once those files are
//    known (the avro-maven-plugin's <imports>). The Avro parser sees one payload at a time and would not know
//    them, so every .avsc of the directories the document refers to is read first (in dependency order) and
//    each Avro payload is handed to the Avro parser self-contained: the types it refers to inlined where
//    first used (avsc's own Type.schema()), its own content unchanged.
//  - Validating Avro payloads. For AsyncAPI 2 the parser's ruleset asks the Avro parser to validate each
//    payload; for AsyncAPI 3 it only converts them (asyncapi/cli#1813). Here each Avro payload is also passed
//    to the Avro parser's validate(), and what it finds is reported as errors with the payload's path.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import avsc from 'avsc';

const SEVERITY = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

async function main(argv) {
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    console.error('usage: node tools/asyncapi/validate.mjs <asyncapi document (yaml or json)>');
    return 2;
  }
  const document = path.resolve(argv[0]);
  let text;
  try {
    text = await readFile(document, 'utf8');
  } catch (e) {
    console.error(`asyncapi: cannot read ${argv[0]}: ${e.message}`);
    return 2;
  }

  const diagnostics = [];
  const named = await namedAvroTypes(avroDirectories(text, path.dirname(document)), diagnostics);
  const avroFindings = [];
  const parser = new Parser();
  parser.registerSchemaParser(avroWithNamedTypes(AvroSchemaParser(), named, avroFindings));

  const parsed = await fromFile(parser, document).parse();
  diagnostics.push(...parsed.diagnostics.map(d => ({
    severity: SEVERITY[d.severity] ?? String(d.severity),
    code: d.code,
    where: d.path?.length ? d.path.join('.') : '',
    file: d.source && path.resolve(d.source) !== document ? path.resolve(d.source) : undefined,
    line: d.range ? d.range.start.line + 1 : undefined,
    message: d.message,
  })));
  diagnostics.push(...avroFindings);

  const rel = path.relative(process.cwd(), document) || document;
  for (const d of diagnostics) {
    const file = d.file ? path.relative(process.cwd(), d.file) : rel;
    const at = [d.line !== undefined ? `${file}:${d.line}` : file, d.where].filter(Boolean).join(' ');
    console.log(`${d.severity.padEnd(7)} ${d.code ?? ''} ${at}: ${d.message}`);
  }
  const count = s => diagnostics.filter(d => d.severity === s).length;
  const errors = count('error');
  const avroPayloads = named.payloadsSeen;
  console.log(`asyncapi: ${rel}: ${errors} error(s), ${count('warning')} warning(s), `
      + `${count('info') + count('hint')} info/hint(s); ${avroPayloads} Avro payload(s) validated`
      + ` (${named.count} named Avro type(s) from ${named.directories.length} directory(ies))`);
  if (!parsed.document && errors === 0) {
    console.log('asyncapi: the parser returned no document');
    return 1;
  }
  return errors > 0 ? 1 : 0;
}

/** The directories of the .avsc files the document refers to with $ref (relative to the document). */
function avroDirectories(text, base) {
  const dirs = new Set();
  for (const m of text.matchAll(/["']?\$ref["']?\s*:\s*["']?([^"'\s#,}]+\.avsc)/g)) {
    dirs.add(path.resolve(base, path.dirname(m[1])));
  }
  return [...dirs].sort();
}

/**
 * Every named type (record, enum, fixed) of the .avsc files of `directories`, parsed by avsc, a file once the
 * types it refers to are known; files that cannot be parsed at all are reported as errors.
 */
async function namedAvroTypes(directories, diagnostics) {
  const registry = {};
  let remaining = [];
  for (const dir of directories) {
    for (const f of (await readdir(dir)).filter(f => f.endsWith('.avsc')).sort()) {
      const file = path.join(dir, f);
      try {
        remaining.push({ file, schema: JSON.parse(await readFile(file, 'utf8')) });
      } catch (e) {
        diagnostics.push({ severity: 'error', code: 'avro-file', file, where: '', message: e.message });
      }
    }
  }
  while (remaining.length > 0) {
    const failed = [];
    for (const r of remaining) {
      const attempt = { ...registry };
      try {
        avsc.Type.forSchema(r.schema, { registry: attempt });
        Object.assign(registry, attempt);
      } catch (e) {
        failed.push({ ...r, error: e.message });
      }
    }
    if (failed.length === remaining.length) {
      for (const r of failed) {
        diagnostics.push({ severity: 'error', code: 'avro-file', file: r.file, where: '', message: r.error });
      }
      break;
    }
    remaining = failed;
  }
  return { registry, count: Object.keys(registry).length, directories, payloadsSeen: 0 };
}

/** The full names of the named types `schema` itself defines (Avro's namespace rules). */
function definedNames(schema) {
  const names = [];
  const walk = (s, namespace) => {
    if (Array.isArray(s)) {
      s.forEach(x => walk(x, namespace));
      return;
    }
    if (s === null || typeof s !== 'object') {
      return;
    }
    let inner = namespace;
    if (['record', 'error', 'enum', 'fixed'].includes(s.type) && typeof s.name === 'string') {
      const ns = s.name.includes('.') ? undefined : (s.namespace ?? namespace);
      const full = ns ? `${ns}.${s.name}` : s.name;
      names.push(full);
      inner = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
    }
    if (Array.isArray(s.fields)) {
      s.fields.forEach(f => walk(f.type, inner));
    }
    if (typeof s.type === 'object') {
      walk(s.type, inner);
    }
    walk(s.items, inner);
    walk(s.values, inner);
  };
  walk(schema, '');
  return names;
}

/**
 * `official`, the Avro schema parser, given each payload self-contained (the named types of `named` it refers
 * to inlined); each payload is also validated by it, its findings added to `findings` as errors.
 */
function avroWithNamedTypes(official, named, findings) {
  const selfContained = data => {
    const own = new Set(definedNames(data));
    const registry = Object.fromEntries(Object.entries(named.registry).filter(([name]) => !own.has(name)));
    return avsc.Type.forSchema(data, { registry }).schema();
  };
  return {
    getMimeTypes: () => official.getMimeTypes(),
    validate: async input => official.validate({ ...input, data: selfContained(input.data) }),
    parse: async input => {
      named.payloadsSeen += 1;
      const where = (input.path ?? []).join('.');
      let data;
      try {
        data = selfContained(input.data);
      } catch (e) {
        findings.push({ severity: 'error', code: 'avro-schema', where, message: e.message });
        try {
          return await official.parse(input);
        } catch {
          return input.data;
        }
      }
      for (const r of await official.validate({ ...input, data })) {
        findings.push({ severity: 'error', code: 'avro-schema', where, message: r.message });
      }
      return official.parse({ ...input, data });
    },
  };
}

process.exitCode = await main(process.argv.slice(2));
