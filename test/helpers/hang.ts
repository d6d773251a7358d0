// How a test runs its orchestrator's workers as test/helpers/hangingWorker.ts: the entry to fork, and the
// variables that say when the worker freezes.
import * as path from 'node:path';
import type { WorkerEntry } from '../../src/engine/pool';

/** The hanging worker, run through tsx like the sources. */
export const hangingWorker: WorkerEntry = { file: path.join(__dirname, 'hangingWorker.ts'), execArgv: ['--import', 'tsx'] };

/** Runs `f` with `env` set: workers forked meanwhile inherit these variables (the hanging worker reads them). */
export async function withHang<T>(env: Record<string, string>, f: () => Promise<T>): Promise<T> {
  Object.assign(process.env, env);
  try {
    return await f();
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
}
