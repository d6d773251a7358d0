// Loads the queue (BullMQ, ioredis) on demand: dist/queue.js beside the CLI, or the TypeScript source under
// tsx. The path is computed so that the bundler leaves it out of dist/cli.js; a run without `--queue` never
// reaches this, which test/unit/queue-lazy.test.ts checks.
import * as path from 'node:path';
import { keyRange, parse } from '../core/json';
import type { NasSpec } from '../shared/spec';
import type { QueueTarget } from '../engine/queue/connection';
import type { WorkerTransport } from '../engine/transport';
import { UsageError } from './args';
import { CliFailure } from './report';

type QueueModule = typeof import('../engine/queue/index');

let loaded = false;

/** Whether this process loaded the queue (see exitWhenWritten). */
export function queueLoaded(): boolean {
  return loaded;
}

/**
 * Exits once stdout and stderr are written. A process that used the queue needs this: its Redis client's reply
 * parser (redis-parser) keeps a 50 ms timer running for up to a second after every connection closed, which
 * held each `run --queue` open about 0.5 s past its end.
 */
export function exitWhenWritten(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

export function loadQueue(): QueueModule {
  loaded = true;
  const file = __filename.endsWith('.ts') ? path.join(__dirname, '..', 'engine', 'queue', 'index.ts') : path.join(__dirname, 'queue.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a run-time path, on purpose (see above)
  return require(file) as QueueModule;
}

/** The queue's target from a URL on the command line (a bad URL is a usage error). */
export function queueTarget(q: QueueModule, url: string): QueueTarget {
  try {
    return q.parseQueueUrl(url);
  } catch (e) {
    if (e instanceof q.QueueUrlError) throw new UsageError(e.message);
    throw e;
  }
}

/** A connected transport for `run`/`resume --queue`; an unreachable Redis is refused before the run starts. */
export async function queueTransport(url: string): Promise<WorkerTransport> {
  const q = loadQueue();
  const t = new q.QueueTransport(queueTarget(q, url));
  try {
    await t.connect();
  } catch (e) {
    throw new CliFailure('unreachable', `the queue at ${q.redactedUrl(url)} cannot be reached: ${(e as Error).message}`);
  }
  return t;
}

/**
 * What a spec asks that queue workers cannot do yet, as `file:line:column: error: ...` lines (none: it can run).
 * Said before anything starts: the workers would refuse every trial, and the run would fail with no line to fix.
 */
export function refusedByQueue(spec: NasSpec, text: string, file: string): string[] {
  if (!spec.training?.backbone) return [];
  const r = keyRange(parse(text), ['training', 'backbone']);
  return [
    `${file}:${r.start.line + 1}:${r.start.character + 1}: error: training.backbone (a pretrained model file) cannot reach queue workers yet: ` +
      'they read only dataset files sent through the queue; run this search without a queue',
  ];
}
