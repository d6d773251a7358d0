// Generates src/shared/spec.ts from schemas/nas.schema.json, the single source of the spec's shape.
// `node scripts/gen-types.mjs --check` fails when the committed file differs (run by the tests).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = path.join(root, 'schemas/nas.schema.json');
const outPath = path.join(root, 'src/shared/spec.ts');

export async function generate() {
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const ts = await compile(schema, 'NasSpec', {
    bannerComment: '/* Generated from schemas/nas.schema.json by scripts/gen-types.mjs. Do not edit: edit the schema and run `npm run gen`. */',
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  return ts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ts = await generate();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(outPath) ? fs.readFileSync(outPath, 'utf8') : '';
    if (current !== ts) {
      console.error('src/shared/spec.ts is out of date with schemas/nas.schema.json: run `npm run gen`.');
      process.exit(1);
    }
    console.log('spec types match the schema');
  } else {
    fs.writeFileSync(outPath, ts);
    console.log(`wrote ${path.relative(root, outPath)}`);
  }
}
