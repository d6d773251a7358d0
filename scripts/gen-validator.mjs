// Compiles the schema into standalone validation code (ajv standalone) so the checker does not spend hundreds
// of milliseconds compiling the schema in every new process. The output is a build product (gitignored); it
// carries the schema's hash, and src/core/schema.ts falls back to compiling at run time when it is stale.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outFile = path.join(root, 'src/core/generated/nas-validate.js');

/** Keywords for editors only; src/core/schema.ts reads the same file. The ajv options must match its fallback. */
const EDITOR_KEYWORDS = JSON.parse(fs.readFileSync(path.join(root, 'schemas/editor-keywords.json'), 'utf8'));

export function generateValidator() {
  const Ajv = require('ajv').default;
  const standalone = require('ajv/dist/standalone').default;
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas/nas.schema.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, discriminator: true, verbose: true, strict: true, code: { source: true, lines: false } });
  ajv.addVocabulary(EDITOR_KEYWORDS);
  const code = linearErrors(standalone(ajv, ajv.compile(schema)));
  const hash = crypto.createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${code}\nmodule.exports.schemaHash = ${JSON.stringify(hash)};\n`);
  return outFile;
}

/**
 * ajv gathers a referenced schema's errors with `vErrors = vErrors.concat(callee.errors)`, a new array per call:
 * a list of 10,000 bad layers took minutes (quadratic) before the checker saw the errors. Appending in place
 * gives the same errors in the same order.
 */
export function linearErrors(code) {
  const concat = /vErrors = vErrors === null \? ([\w.]+)\.errors : vErrors\.concat\(\1\.errors\);/g;
  const n = (code.match(concat) ?? []).length;
  if (n === 0) throw new Error('gen-validator: no `vErrors.concat` in the ajv output; has ajv changed how it collects errors?');
  const helper = 'function appendErrors(all, more) { if (all === null) return more.slice(); for (const e of more) all.push(e); return all; }\n';
  // After the "use strict" directive, which must stay first.
  const body = code.replace(concat, (_m, callee) => `vErrors = appendErrors(vErrors, ${callee}.errors);`);
  const strict = body.startsWith('"use strict";') ? '"use strict";' : '';
  return strict + helper + body.slice(strict.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`wrote ${path.relative(root, generateValidator())}`);
