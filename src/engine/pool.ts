// Worker processes: one trial at a time each, on one thread. A worker is a forked Node process speaking the
// typed protocol of src/shared/protocol.ts over IPC. ForkTransport is the transport of every run without a queue.
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isFromWorker, type FromWorker, type ToWorker } from '../shared/protocol';
import type { LinkEvents, WorkerLink, WorkerTransport } from './transport';

export interface WorkerEntry {
  file: string;
  execArgv: string[];
}

/** The worker script: the bundled dist/worker.js beside us, or the TypeScript source when run through tsx. */
export function defaultWorkerEntry(): WorkerEntry {
  // tsx by its own path: a queue worker forks from its data folder, where a bare `tsx` would not resolve.
  if (__filename.endsWith('.ts')) return { file: path.join(__dirname, 'worker.ts'), execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href] };
  return { file: path.join(__dirname, 'worker.js'), execArgv: [] };
}

export class WorkerHandle implements WorkerLink {
  readonly child: ChildProcess;
  /** The trial it is training, if any. */
  trial?: number;
  ready = false;
  exited = false;
  stderrTail = '';

  constructor(
    readonly id: number,
    entry: WorkerEntry,
    onMessage: (w: WorkerHandle, m: FromWorker) => void,
    onExit: (w: WorkerHandle, code: number | null, signal: NodeJS.Signals | null) => void,
    opts: { nodePath?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      execPath: opts.nodePath,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // One thread per worker: parallelism comes from processes, and threads would fight over the cores.
      env: { ...process.env, ...opts.env, OMP_NUM_THREADS: '1', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', TF_CPP_MIN_LOG_LEVEL: '2' },
    });
    const keep = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (m) => {
      if (isFromWorker(m)) onMessage(this, m);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      onExit(this, code, signal);
    });
    this.child.on('error', () => {
      /* 'exit' follows and carries the news */
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(m: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(m);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal);
  }

  /** Asks the worker to exit by closing its channel; it finishes nothing. */
  close(): void {
    if (!this.exited && this.child.connected) this.child.disconnect();
  }
}

/** Worker processes forked on this machine, one per link. */
export class ForkTransport implements WorkerTransport {
  readonly name = 'local';

  constructor(
    private readonly entry: WorkerEntry = defaultWorkerEntry(),
    private readonly nodePath?: string,
  ) {}

  autoParallel(): number {
    return os.availableParallelism();
  }

  async start(): Promise<WorkerLink[]> {
    return [];
  }

  open(id: number, events: LinkEvents): WorkerLink {
    return new WorkerHandle(
      id,
      this.entry,
      (h, m) => events.message(h, m),
      (h, code, signal) => events.exit(h, { why: signal ? `killed by ${signal}` : `exited with code ${code}`, output: h.stderrTail }),
      { nodePath: this.nodePath },
    );
  }

  async close(): Promise<void> {}
}
