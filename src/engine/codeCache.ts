// Loading our CommonJS bundles (dist/cli-main.js, dist/worker.js: 2 and 3.7 MB) with a V8 code cache, so that a
// process does not parse and compile them from scratch every time: that is ~40 ms of the CLI's start and ~100 ms
// of a worker's, both on the path to a run's first step. The cache is an optimisation only: it lives in the
// user's own cache folder (never beside the bundle: an installed extension's folder may be read-only), its name
// carries a hash of the bundle's text and the V8 version (V8 itself checks its flags), it is written to a
// temporary name and renamed, and any failure to read, use or write it means compiling as Node's require would.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** NAS_STUDIO_CODE_CACHE=0 turns it off (as does a Node without what it needs). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NAS_STUDIO_CODE_CACHE === '0') return undefined;
  const base = env.XDG_CACHE_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) || path.join(os.homedir(), '.cache');
  return base ? path.join(base, 'nas-studio', 'v8') : undefined;
}

interface NodeModule {
  exports: unknown;
  filename: string;
  paths: string[];
}
const ModuleApi = Module as unknown as {
  new (id: string, parent?: unknown): NodeModule;
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
};

export interface Loaded {
  exports: unknown;
  /** Whether V8 took the cached code (else it compiled the source). */
  used: boolean;
  /**
   * Writes the cache when none was used; call it once the process has done its work, so that the functions
   * compiled meanwhile are in it too. Never throws.
   */
  save(): void;
}

/** `require(file)` for a bundle of ours, through the code cache when one can be used. */
export function requireCached(file: string, parent: unknown, dir = codeCacheDir()): Loaded {
  // No import() in these bundles (test/unit/boundaries.test.ts): a vm.Script has no loader for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!dir) return { exports: require(file), used: false, save: () => {} };
  const source = fs.readFileSync(file, 'utf8');
  const hash = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16);
  const stem = `${path.basename(file, '.js')}-`;
  const cacheFile = path.join(dir, `${stem}${hash}-${process.versions.v8}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // none yet, or unreadable: compile
  }
  const script = new vm.Script(ModuleApi.wrap(source), { filename: file, cachedData });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  const m = new ModuleApi(file, parent);
  m.filename = file;
  m.paths = ModuleApi._nodeModulePaths(path.dirname(file));
  // The same wrapper and arguments Node's CommonJS loader gives a module.
  (script.runInThisContext() as (...a: unknown[]) => void).call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
  let saved = used;
  return {
    exports: m.exports,
    used,
    save() {
      if (saved) return;
      saved = true;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
        // Caches of earlier builds of this bundle are dead weight.
        for (const f of fs.readdirSync(dir))
          if (f.startsWith(stem) && f.endsWith('.bin') && path.join(dir, f) !== cacheFile) fs.rmSync(path.join(dir, f), { force: true });
      } catch {
        // a read-only or full disk: the next process compiles, as this one did
      }
    },
  };
}
