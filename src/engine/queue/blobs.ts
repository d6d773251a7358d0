// Datasets travel by content: the orchestrator stores each file a spec names once in Redis under its SHA-256,
// and a worker fetches it once into its own data folder. The spec a worker sees names files by hash only, so a
// queue message cannot make it read anything outside that folder (`confineDataset` refuses any other name).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Redis from 'ioredis';
import type { Dataset } from '../../shared/spec';
import { blobKey } from './wire';

type FileField = 'images' | 'labels' | 'path';
/** The places a dataset spec names a file: the dataset itself and its test set. */
const FIELDS: FileField[] = ['images', 'labels', 'path'];
const HASHED = /^[0-9a-f]{64}(\.[A-Za-z0-9]{1,12})?$/;

function eachFile(d: Dataset, fn: (holder: Record<string, unknown>, field: FileField, value: string) => void) {
  const holders = [d as unknown as Record<string, unknown>];
  const test = (d as { test?: unknown }).test;
  if (test && typeof test === 'object') holders.push(test as Record<string, unknown>);
  for (const h of holders) for (const f of FIELDS) if (typeof h[f] === 'string') fn(h, f, h[f] as string);
}

export interface Shipped {
  dataset: Dataset;
  /** Hashed name -> the name the spec gave, for messages. */
  names: Record<string, string>;
}

/**
 * The dataset with every file replaced by its hashed name, after storing each file in Redis unless it is there
 * already (`known` remembers what this process stored, so a run reads each file once).
 */
export async function shipDataset(redis: Redis, dataset: Dataset, baseDir: string, known: Map<string, string>): Promise<Shipped> {
  const copy = structuredClone(dataset);
  const names: Record<string, string> = {};
  const files: { holder: Record<string, unknown>; field: FileField; value: string }[] = [];
  eachFile(copy, (holder, field, value) => files.push({ holder, field, value }));
  for (const f of files) {
    const abs = path.resolve(baseDir, f.value);
    let hashed = known.get(abs);
    if (!hashed) {
      const bytes = fs.readFileSync(abs);
      const sha = createHash('sha256').update(bytes).digest('hex');
      hashed = sha + path.extname(abs).slice(0, 13);
      // NX: a file another run stored already is not sent again.
      await redis.set(blobKey(sha), bytes, 'NX');
      known.set(abs, hashed);
    }
    f.holder[f.field] = hashed;
    names[hashed] = f.value;
  }
  return { dataset: copy, names };
}

export class ConfinementError extends Error {}

/** Refuses a dataset that names anything but hashed files (a message not written by an orchestrator). */
export function confineDataset(dataset: Dataset): string[] {
  const out: string[] = [];
  eachFile(dataset, (_h, field, value) => {
    if (!HASHED.test(value))
      throw new ConfinementError(`refused: the job names a file (${field}: '${value}') that is not a dataset file sent through the queue`);
    out.push(value);
  });
  return out;
}

/** Fetches the dataset's files that `dataDir` lacks; each is checked against its hash before it is kept. */
export async function fetchDataset(redis: Redis, dataset: Dataset, dataDir: string, names: Record<string, string>): Promise<number> {
  let fetched = 0;
  fs.mkdirSync(dataDir, { recursive: true });
  for (const hashed of confineDataset(dataset)) {
    const file = path.join(dataDir, hashed);
    if (fs.existsSync(file)) continue;
    const sha = hashed.slice(0, 64);
    const bytes = await redis.getBuffer(blobKey(sha));
    if (!bytes) {
      throw new Error(
        `this worker lacks the dataset file ${names[hashed] ?? hashed} (sha256 ${sha}) and Redis does not hold it; ` +
          `the orchestrator stores it when the run starts: resume the run, or check the server's maxmemory policy`,
      );
    }
    if (createHash('sha256').update(bytes).digest('hex') !== sha)
      throw new Error(`the dataset file ${names[hashed] ?? hashed} arrived damaged (its hash differs)`);
    const tmp = `${file}.${process.pid}.part`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
    fetched++;
  }
  return fetched;
}
