// One esbuild script, one context per target. `--watch` rebuilds on change; `--minify` for packaging.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateValidator } from './gen-validator.mjs';
import { prebuiltSimdBase64 } from './prebuiltKernels.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');

// mainFields: jsonc-parser's UMD build hides its requires from esbuild; its ESM build bundles cleanly.
const node = {
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  bundle: true,
  mainFields: ['module', 'main'],
  sourcemap: 'linked',
  minify,
  logLevel: 'warning',
};
// tfjs-node is a native addon found at run time where it is installed; everything else is bundled.
const nodeExternal = ['@tensorflow/tfjs-node'];

// `require('./bench.js')` in src/cli/main.ts stays a run-time require of dist/bench.js, the bench's own bundle, so
// dist/cli-main.js carries neither the benchmark code nor tfjs (test/unit/boundaries.test.ts checks both).
const benchApart = {
  name: 'bench-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/bench(\.js)?$/ }, (args) =>
      args.importer.endsWith(path.join('src', 'cli', 'main.ts')) ? { path: './bench.js', external: true } : undefined,
    );
  },
};

const targets = [
  { name: 'extension', entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', ...node, external: ['vscode', ...nodeExternal] },
  // dist/cli.js is a stub that forks a run's first worker, then loads the CLI's bundle, dist/cli-main.js (entry.ts).
  {
    name: 'cli',
    entryPoints: ['src/cli/entry.ts'],
    outfile: 'dist/cli.js',
    ...node,
    external: nodeExternal,
    banner: { js: '#!/usr/bin/env node' },
  },
  { name: 'cli-main', entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js', ...node, external: nodeExternal, plugins: [benchApart] },
  { name: 'bench', entryPoints: ['src/cli/bench.ts'], outfile: 'dist/bench.js', ...node, external: nodeExternal },
  { name: 'worker', entryPoints: ['src/engine/worker.ts'], outfile: 'dist/worker.js', ...node, external: nodeExternal },
  // What a worker process runs: dist/worker.js through the V8 code cache (src/engine/codeCache.ts).
  { name: 'worker-boot', entryPoints: ['src/engine/workerBoot.ts'], outfile: 'dist/worker-boot.js', ...node, external: nodeExternal },
  // BullMQ and ioredis, apart: the CLI loads this only for a command with --queue (src/cli/queue.ts).
  { name: 'queue', entryPoints: ['src/engine/queue/index.ts'], outfile: 'dist/queue.js', ...node, external: nodeExternal },
  // NAS Studio's own layers for exported models, against the user's tfjs (see src/engine/layers/loader.ts).
  {
    name: 'layers',
    entryPoints: ['src/engine/layers/loader.ts'],
    outfile: 'dist/nas-layers.js',
    platform: 'neutral',
    target: 'es2020',
    format: 'iife',
    globalName: 'NasStudioLayers',
    bundle: true,
    minify,
    logLevel: 'warning',
    footer: {
      js: "if (typeof module === 'object' && module.exports) module.exports = NasStudioLayers; else if (typeof tf !== 'undefined') NasStudioLayers.register(tf);",
    },
  },
  {
    name: 'webview',
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    bundle: true,
    sourcemap: 'linked',
    minify,
    logLevel: 'warning',
  },
];

function copyWasm() {
  const dir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const out = path.join(root, 'dist/wasm');
  fs.mkdirSync(out, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.wasm')) fs.copyFileSync(path.join(dir, f), path.join(out, f));
}

generateValidator();
// The bundles that train carry the SIMD kernels' bytes instead of generating them in every process; not in watch
// mode, where a change to a generator would leave them stale (module.ts then generates them as under tsx).
if (!watch) {
  const define = { __NAS_SIMD_WASM__: JSON.stringify(await prebuiltSimdBase64(root)) };
  for (const t of targets) if (t.name === 'worker' || t.name === 'bench') t.define = define;
}
const active = targets.filter((t) => fs.existsSync(path.join(root, t.entryPoints[0])));
const started = Date.now();
const contexts = await Promise.all(active.map(({ name: _name, ...opts }) => esbuild.context({ ...opts, absWorkingDir: root })));
copyWasm();
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${active.map((t) => t.name).join(', ')}`);
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
  console.log(`built ${active.map((t) => t.name).join(', ')} in ${Date.now() - started} ms`);
}
