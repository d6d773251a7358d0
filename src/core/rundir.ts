// The run folder: `.nas-studio/runs/<run-id>/` beside the spec, holding a snapshot of the spec, the journal,
// a lock naming the live orchestrator, and the weights of the best trials.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunCliOptions } from '../shared/cli';
import type { NasSpec } from '../shared/spec';
import { formatPath, type JsonPath } from './json';
import { type Lock, readLockFile } from './runlock';

export const RUNS_DIR = path.join('.nas-studio', 'runs');

export interface RunPaths {
  dir: string;
  spec: string;
  meta: string;
  journal: string;
  lock: string;
  trials: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    spec: path.join(dir, 'spec.nas.json'),
    meta: path.join(dir, 'run.json'),
    journal: path.join(dir, 'journal.jsonl'),
    lock: path.join(dir, 'lock.json'),
    trials: path.join(dir, 'trials'),
  };
}

export function trialDir(run: RunPaths, trial: number): string {
  return path.join(run.trials, String(trial).padStart(4, '0'));
}

export interface RunMeta {
  runId: string;
  specFile: string;
  specHash: string;
  created: string;
  /** The command-line options (budget, workers, backend) the run was last launched with; a resume keeps them. */
  options?: RunCliOptions;
}

export function readMeta(runDir: string): RunMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(runPaths(runDir).meta, 'utf8')) as RunMeta;
  } catch {
    return undefined;
  }
}

export function writeMeta(runDir: string, meta: RunMeta): void {
  fs.writeFileSync(runPaths(runDir).meta, JSON.stringify(meta, null, 2) + '\n');
}

export function newRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'run';
  return `${stamp}-${slug}-${crypto.randomBytes(2).toString('hex')}`;
}

/** The parts of a spec that decide what a trial means. Budget, parallelism and names may change on resume. */
export function comparablePart(spec: NasSpec): Record<string, unknown> {
  return {
    dataset: spec.dataset,
    task: spec.task ?? {},
    architecture: spec.architecture,
    training: spec.training ?? {},
    objective: spec.search?.objective ?? {},
    seed: spec.search?.seed ?? 0,
    strategy: spec.search?.strategy ?? 'random',
  };
}

export function specHash(spec: NasSpec): string {
  return crypto
    .createHash('sha256')
    .update(canonical(comparablePart(spec)))
    .digest('hex')
    .slice(0, 16);
}

export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Paths where two values differ, shallowest first, for messages such as "architecture.layers[0].filters changed". */
export function diffPaths(a: unknown, b: unknown, at: JsonPath = [], out: string[] = [], limit = 5): string[] {
  if (out.length >= limit) return out;
  const isObj = (x: unknown) => !!x && typeof x === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) {
      const seg = Array.isArray(a) ? Number(k) : k;
      diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...at, seg], out, limit);
    }
    return out;
  }
  if (canonical(a) !== canonical(b)) out.push(`${formatPath(at)}: ${short(a)} -> ${short(b)}`);
  return out;
}

function short(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

export { type Lock, processAlive } from './runlock';

export function readLock(run: RunPaths): Lock | undefined {
  return readLockFile(run.lock);
}

/** Runs found beside a spec, newest first. */
export function listRuns(specDir: string): string[] {
  const dir = path.join(specDir, RUNS_DIR);
  try {
    return fs
      .readdirSync(dir)
      .filter((d) => fs.existsSync(path.join(dir, d, 'journal.jsonl')))
      .sort()
      .reverse()
      .map((d) => path.join(dir, d));
  } catch {
    return [];
  }
}
