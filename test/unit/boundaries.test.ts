// The architecture's import rules, checked on the source: shared imports nothing, core imports only shared,
// only src/extension imports vscode, only src/engine imports tfjs, and the extension bundle holds no tfjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(e.name)) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  // Lines that are string literals (say, a README written by the code) are text, not imports.
  const text = fs
    .readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .filter((l) => !/^\s*['"`]/.test(l))
    .join('\n');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)|import\(['"]([^'"]+)['"]\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
}

/** Which top-level area a relative import lands in. */
function area(file: string, spec: string): string {
  const abs = path.resolve(path.dirname(path.join(root, file)), spec);
  return path.relative(root, abs).split(path.sep).slice(0, 2).join('/');
}

test('src/shared imports nothing outside itself', () => {
  for (const f of sources('src/shared')) {
    for (const s of imports(f)) assert.ok(s.startsWith('./'), `${f} imports ${s}`);
  }
});

test('src/core imports only shared, itself, node builtins and pure libraries', () => {
  const allowed = new RegExp(`^(node:|ajv|jsonc-parser|(${builtinModules.join('|')})$)`);
  for (const f of sources('src/core')) {
    for (const s of imports(f)) {
      if (s.startsWith('.'))
        assert.ok(
          ['src/core', 'src/shared', 'schemas/nas.schema.json', 'schemas/editor-keywords.json'].includes(area(f, s)) || area(f, s).startsWith('src/core'),
          `${f} imports ${s}`,
        );
      else assert.match(s, allowed, `${f} imports ${s}`);
    }
  }
});

test('only src/extension imports vscode; only src/engine imports tfjs', () => {
  for (const dir of ['src', 'webview']) {
    for (const f of sources(dir)) {
      for (const s of imports(f)) {
        if (s === 'vscode') assert.ok(f.startsWith(path.join('src', 'extension')), `${f} imports vscode`);
        if (s.startsWith('@tensorflow/')) assert.ok(f.startsWith(path.join('src', 'engine')), `${f} imports ${s}`);
      }
    }
  }
});

test('the extension bundle holds no tfjs (the host never loads it)', () => {
  const bundle = path.join(root, 'dist', 'extension.js');
  assert.ok(fs.existsSync(bundle), 'dist/extension.js is missing: run `npm run build`');
  assert.equal((fs.readFileSync(bundle, 'utf8').match(/@tensorflow\/tfjs/g) ?? []).length, 0);
});
