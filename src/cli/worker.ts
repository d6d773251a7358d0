// `nas-studio worker --queue URL`: serve the queue until SIGINT or SIGTERM (the first lets running trials
// finish, a second abandons them; the queue retries them elsewhere).
import * as path from 'node:path';
import { EXIT, type BACKEND_CHOICES } from '../shared/cli';
import { loadQueue, queueTarget } from './queue';
import { CliFailure, type Io } from './report';

export interface WorkerCliOptions {
  queue: string;
  concurrency: number;
  backend?: (typeof BACKEND_CHOICES)[number];
  data?: string;
  stallSeconds: number;
}

export async function workerCommand(o: WorkerCliOptions, io: Io): Promise<number> {
  const q = loadQueue();
  const target = queueTarget(q, o.queue);
  const server = new q.QueueServer({
    target,
    concurrency: o.concurrency,
    ...(o.backend && o.backend !== 'auto' ? { backend: o.backend } : {}),
    dataDir: path.resolve(o.data ?? q.defaultDataDir()),
    stallSeconds: o.stallSeconds,
    log: (line) => io.err(`${new Date().toISOString().slice(11, 19)} ${line}`),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([server.start(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000)))]);
  } catch (e) {
    void server.stop(true);
    throw new CliFailure('unreachable', `the queue at ${target.shown} cannot be reached: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      io.err(signals === 1 ? `${sig}: finishing the trials under way, then leaving (again to leave now)` : `${sig}: leaving now`);
      void server.stop(signals > 1).then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(EXIT.stopped);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
