// Bundles the extension-host tests (test/extension/*.ts) into dist-test/, one file per test module plus
// index.js, the extensionTestsPath entry. `vscode` comes from the host; mocha from node_modules at run time.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'test', 'extension');
const entryPoints = fs
  .readdirSync(dir)
  .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
  .map((f) => path.join('test', 'extension', f));
fs.rmSync(path.join(root, 'dist-test'), { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints,
  outdir: 'dist-test',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  mainFields: ['module', 'main'],
  sourcemap: 'inline',
  external: ['vscode', 'mocha', '@tensorflow/tfjs-node'],
  logLevel: 'warning',
});
console.log(`built ${entryPoints.length} extension test bundles into dist-test/`);
