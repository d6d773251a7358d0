// Every snippet, expanded with its defaults, is valid where it belongs: the checker finds no schema problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/core/check';

const file = path.join(__dirname, '..', '..', 'snippets', 'nas-json.code-snippets');
const snippets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { prefix: string; body: string[] }>;

/** The text VS Code inserts when every placeholder keeps its default. */
function expand(body: string[]): string {
  let s = body.join('\n');
  s = s.replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1').replace(/\$\d+/g, '');
  // Placeholders nest and their defaults may hold escaped braces: resolve innermost first.
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(/\$\{\d+:((?:\\\}|[^{}]|\{[^{}]*\})*)\}/g, '$1');
  }
  return s.replace(/\\\}/g, '}');
}

const base = (layers: string, extra = '') =>
  `{ "dataset": { "source": "synthetic" }, "architecture": { "type": "sequential", "layers": [${layers}] }${extra} }`;
const SCHEMA_CODES = new Set(['syntax', 'schema', 'unknown-property', 'missing-property', 'duplicate-key']);

test('snippets expand to specs the checker accepts', () => {
  assert.ok(Object.keys(snippets).length >= 20);
  for (const [name, s] of Object.entries(snippets)) {
    const text = expand(s.body);
    let spec: string;
    if (text.startsWith('"architecture"')) spec = `{ "dataset": { "source": "synthetic" }, ${text} }`;
    else if (text.startsWith('"dataset"')) spec = `{ ${text}, "architecture": { "type": "sequential", "layers": [{ "type": "flatten" }] } }`;
    else if (text.startsWith('"')) spec = base('{ "type": "flatten" }', `, ${text}`);
    else if (s.prefix === 'nas-spec') spec = text;
    else if (/^\{ "(choice|int|float)"/.test(text))
      spec = base(`{ "type": "flatten" }, { "type": "dense", "units": 8 }`, `, "training": { "epochs": ${text.includes('float') ? 3 : text} }`).replace(
        /"epochs": \{ "choice": \[16, 32, 64\] \}/,
        '"batchSize": { "choice": [16, 32, 64] }',
      );
    else spec = base(`${text}, { "type": "flatten" }`);
    const bad = checkText(spec, { probeData: false }).diagnostics.filter((d) => SCHEMA_CODES.has(d.code));
    assert.deepEqual(
      bad.map((d) => d.message),
      [],
      `${name}: ${spec}`,
    );
  }
});
