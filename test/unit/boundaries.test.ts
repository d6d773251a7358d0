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

test('bench/ imports shared, core, engine, test helpers, itself, node builtins and tfjs; never the extension, webview or CLI', () => {
  for (const f of sources('bench')) {
    for (const s of imports(f)) {
      if (s.startsWith('.')) {
        const a = area(f, s);
        assert.ok(a.startsWith('bench') || ['src/shared', 'src/core', 'src/engine', 'test/helpers'].includes(a), `${f} imports ${s}`);
      } else assert.ok(s !== 'vscode', `${f} imports vscode`);
    }
  }
});

test('only src/cli/bench.ts (its own bundle) imports bench/', () => {
  for (const dir of ['src', 'webview']) {
    for (const f of sources(dir)) {
      for (const s of imports(f)) {
        if (s.startsWith('.') && area(f, s).startsWith('bench')) assert.equal(f, path.join('src', 'cli', 'bench.ts'), `${f} imports ${s}`);
      }
    }
  }
});

test('the CLI bundles hold no tfjs and no bench code; dist/bench.js holds them and cli-main.js loads it on use', () => {
  const read = (name: string) => {
    const file = path.join(root, 'dist', name);
    assert.ok(fs.existsSync(file), `dist/${name} is missing: run \`npm run build\``);
    return fs.readFileSync(file, 'utf8');
  };
  // esbuild marks each bundled module with a `// path` comment; the export README's text names tfjs too, so
  // the check counts bundled modules, not mentions.
  const modules = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;
  const tfjs = /^\/\/ (.*\/)?node_modules\/@tensorflow\//;
  const benchCode = /^\/\/ (bench\/|src\/cli\/bench\.ts)/;
  // dist/cli.js is the stub that forks a run's worker and requires dist/cli-main.js, the CLI itself (src/cli/entry.ts).
  const stub = read('cli.js');
  const cli = read('cli-main.js');
  const bench = read('bench.js');
  for (const [name, text] of [
    ['cli.js', stub],
    ['cli-main.js', cli],
  ]) {
    assert.equal(modules(text, tfjs), 0, `dist/${name} bundles tfjs`);
    assert.equal(modules(text, benchCode), 0, `dist/${name} bundles the bench`);
  }
  assert.ok(stub.length < 50_000, `dist/cli.js is ${stub.length} bytes: the stub must stay small, it loads before the worker forks`);
  assert.match(stub, /"cli-main\.js"/);
  assert.ok(modules(bench, tfjs) > 0 && modules(bench, benchCode) > 0, 'dist/bench.js should bundle the bench and tfjs');
  assert.match(cli, /require\("\.\/bench\.js"\)/);
  // Both run through vm.Script for the code cache (engine/codeCache.ts), which has no loader for a dynamic import().
  for (const name of ['cli-main.js', 'worker.js']) assert.doesNotMatch(read(name), /\bimport\(\s*["'`]/, `dist/${name} has a dynamic import()`);
});
