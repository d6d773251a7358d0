// What activating the extension costs: loading dist/extension.js and running activate(), against a stand-in
// `vscode` module that accepts every call. Also proves the extension host never loads tfjs: no tensorflow
// module is required, and the bundle holds no tfjs code. Run: npm run bench:activation (after a build).
import Module from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

// npm runs scripts from the package root; the bench is compiled to plain JS first so no loader skews the timing.
const root = process.cwd();
const bundle = path.join(root, 'dist', 'extension.js');
if (!fs.existsSync(bundle)) throw new Error('dist/extension.js is missing: run `npm run build` first');

const failures: string[] = [];

/** A value that is every function, class, event and object at once: activation may call anything. */
function anything(name: string): unknown {
  const fn = function () {} as unknown as Record<string | symbol, unknown>;
  const assigned = new Map<string | symbol, unknown>();
  return new Proxy(fn, {
    set(_t, key, value) {
      assigned.set(key, value);
      return true;
    },
    get(_t, key) {
      if (assigned.has(key)) return assigned.get(key);
      // Awaitable like the many Thenables of the API; resolving to undefined reads as "dismissed".
      if (key === 'then') return (resolve?: (v: unknown) => void) => resolve?.(undefined);
      if (key === '__esModule') return true; // so import * hands the stand-in over as it is
      if (key === Symbol.toPrimitive) return () => name;
      if (key === 'dispose') return () => {};
      return anything(`${name}.${String(key)}`);
    },
    apply(_t, _this, args) {
      if (/\.(error|showErrorMessage)$/.test(name)) failures.push(String(args[0]));
      return anything(`${name}()`);
    },
    construct() {
      return anything(`new ${name}`) as object;
    },
  });
}

// esbuild's interop copies the module's own keys, so the stand-in lists every vscode API the bundle touches.
const apiNames = [...new Set([...fs.readFileSync(bundle, 'utf8').matchAll(/\bvscode\d*\.([A-Za-z_]\w*)/g)].map((m) => m[1]))];
const stub = Object.fromEntries(apiNames.map((n) => [n, anything(`vscode.${n}`)]));
const originalLoad = (Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown })._load;
(Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown })._load = function (req: string, ...rest: unknown[]) {
  return req === 'vscode' ? stub : originalLoad.call(this, req, ...rest);
};

const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-activation-'));
const memento = { get: (_k: string, d?: unknown) => d, update: async () => {}, keys: () => [], setKeysForSync: () => {} };
const context = {
  subscriptions: [] as { dispose(): void }[],
  extensionPath: root,
  extensionUri: anything('extensionUri'),
  globalState: memento,
  workspaceState: memento,
  globalStorageUri: anything('globalStorageUri'),
  storageUri: anything('storageUri'),
  logUri: anything('logUri'),
  asAbsolutePath: (p: string) => path.join(root, p),
  extension: anything('extension'),
  environmentVariableCollection: anything('env'),
  secrets: anything('secrets'),
};

const before = new Set(Object.keys(require.cache));
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require(bundle) as { activate(c: unknown): unknown };
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();
const loaded = Object.keys(require.cache).filter((k) => !before.has(k));
const tfModules = loaded.filter((k) => /tensorflow|tfjs/i.test(k));
const text = fs.readFileSync(bundle, 'utf8');
const tfInBundle = (text.match(/@tensorflow\/tfjs/g) ?? []).length;
for (const d of context.subscriptions) {
  try {
    d.dispose();
  } catch {
    /* stand-ins */
  }
}
fs.rmSync(storage, { recursive: true, force: true });
const total = t2 - t0;
if (failures.length) throw new Error(`activation reported errors: ${failures.join(' | ')}`);
console.log(
  `load dist/extension.js (${(text.length / 1024).toFixed(0)} KB): ${(t1 - t0).toFixed(1)} ms; activate(): ${(t2 - t1).toFixed(1)} ms; total ${total.toFixed(1)} ms (target < 100 ms)`,
);
console.log(`modules loaded: ${loaded.length}; tfjs modules among them: ${tfModules.length}; "@tensorflow/tfjs" in the bundle: ${tfInBundle}`);
console.log(
  JSON.stringify({
    bench: 'activation',
    load_ms: +(t1 - t0).toFixed(1),
    activate_ms: +(t2 - t1).toFixed(1),
    total_ms: +total.toFixed(1),
    tfjs_modules: tfModules.length,
    tfjs_in_bundle: tfInBundle,
    ok: total < 100 && tfModules.length === 0 && tfInBundle === 0,
  }),
);
process.exit(0);
