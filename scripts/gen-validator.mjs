// Compiles the schema into standalone validation code (ajv standalone) so the checker does not spend hundreds
// of milliseconds compiling the schema in every new process. The output is a build product (gitignored); it
// carries the schema's hash, and src/core/schema.ts falls back to compiling at run time when it is stale.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { linearErrors } from '../src/core/ajvLinearErrors.cjs';

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
  const { code, replaced } = linearErrors(standalone(ajv, ajv.compile(schema)));
  if (replaced === 0) throw new Error('gen-validator: no `vErrors.concat` in the ajv output; has ajv changed how it collects errors?');
  const hash = crypto.createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${code}\nmodule.exports.schemaHash = ${JSON.stringify(hash)};\n`);
  return outFile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`wrote ${path.relative(root, generateValidator())}`);
