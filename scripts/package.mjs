// `npm run package`: minified bundles, then a .vsix packed by vsce offline. Dependencies are bundled, so vsce
// runs with --no-dependencies and .vscodeignore decides the rest. Prints the package's size and contents.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { packagedIn, readmeForPackage } from './vsix-readme.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vscePkg = require.resolve('@vscode/vsce/package.json');
const vsce = path.join(path.dirname(vscePkg), JSON.parse(fs.readFileSync(vscePkg, 'utf8')).bin.vsce);
const out = path.join(root, `${pkg.name}-${pkg.version}.vsix`);

function run(args, opts = {}) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: opts.capture ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) {
    if (opts.capture) process.stderr.write(r.stdout + r.stderr);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
}

run(['scripts/build.mjs', '--minify']);
const files = run([vsce, 'ls', '--no-dependencies'], { capture: true }).trim().split('\n').filter(Boolean);
// The README's links to files the package leaves out (docs/, test/) are rewritten for the package: see vsix-readme.mjs.
const readme = path.join('dist', 'README.vsix.md'); // vsce takes this path relative to the package root
fs.writeFileSync(path.join(root, readme), readmeForPackage(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), packagedIn(files)));
run([vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--readme-path', readme, '--out', out]);
const size = fs.statSync(out).size;
const byTop = {};
for (const f of files) byTop[f.split('/')[0]] = (byTop[f.split('/')[0]] ?? 0) + 1;
console.log(
  `\n${path.basename(out)}: ${(size / 1024 / 1024).toFixed(2)} MiB, ${files.length} files (${Object.entries(byTop)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')})`,
);
