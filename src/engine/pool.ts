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

/**
 * The worker script: in a build dist/worker-boot.js beside us, which loads dist/worker.js through the code cache
 * (workerBoot.ts); the TypeScript source when run through tsx.
 */
export function defaultWorkerEntry(): WorkerEntry {
  // tsx by its own path: a queue worker forks from its data folder, where a bare `tsx` would not resolve.
  if (__filename.endsWith('.ts')) return { file: path.join(__dirname, 'worker.ts'), execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href] };
  return { file: path.join(__dirname, 'worker-boot.js'), execArgv: [] };
}

/** Forks the worker script with one thread: parallelism comes from processes, and threads would fight over the cores. */
function forkWorker(entry: WorkerEntry, opts: { nodePath?: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  return fork(entry.file, [], {
    execArgv: entry.execArgv,
    execPath: opts.nodePath,
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...opts.env, OMP_NUM_THREADS: '1', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', TF_CPP_MIN_LOG_LEVEL: '2' },
  });
}

/**
 * A worker forked before its run is known (at the CLI's start), so that its module load (tfjs, ~0.4 s) overlaps
 * the CLI's spec check, run folder and journal on another core. The first WorkerHandle of the run adopts it;
 * whoever made it calls release() when the command ends, which kills it if nothing adopted it (a spec error,
 * a queue run, nothing left to train): a live child would otherwise keep the CLI's process from exiting.
 */
export class EarlyWorker {
  private child?: ChildProcess;
  private tail = '';
  private readonly keep = (chunk: Buffer) => {
    this.tail = (this.tail + chunk.toString()).slice(-4000);
  };

  constructor(
    readonly entry: WorkerEntry,
    readonly nodePath?: string,
  ) {
    this.child = forkWorker(entry, { nodePath });
    this.child.stdout?.on('data', this.keep);
    this.child.stderr?.on('data', this.keep);
    this.child.on('error', () => {
      /* adopt() sees it exited and a fresh fork takes its place */
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The process with what it printed so far, once; none if it already ended or runs another script than the
   * caller's (the caller forks a fresh one).
   */
  adopt(entry: WorkerEntry, nodePath?: string): { child: ChildProcess; output: string } | undefined {
    const child = this.child;
    this.child = undefined;
    if (!child) return undefined;
    child.stdout?.off('data', this.keep);
    child.stderr?.off('data', this.keep);
    const same = entry.file === this.entry.file && entry.execArgv.join(' ') === this.entry.execArgv.join(' ') && nodePath === this.nodePath;
    if (!same || child.exitCode !== null || child.signalCode !== null || !child.connected) {
      child.kill('SIGKILL');
      return undefined;
    }
    return { child, output: this.tail };
  }

  /** Kills the process unless a handle adopted it. */
  release(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
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
    opts: { nodePath?: string; env?: NodeJS.ProcessEnv; early?: EarlyWorker } = {},
  ) {
    const adopted = opts.early?.adopt(entry, opts.nodePath);
    this.child = adopted?.child ?? forkWorker(entry, opts);
    this.stderrTail = adopted?.output ?? '';
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
    /** Forked ahead (EarlyWorker): the first link takes it over. */
    private early?: EarlyWorker,
  ) {}

  autoParallel(): number {
    return os.availableParallelism();
  }

  async start(): Promise<WorkerLink[]> {
    return [];
  }

  open(id: number, events: LinkEvents): WorkerLink {
    const early = this.early;
    this.early = undefined;
    return new WorkerHandle(
      id,
      this.entry,
      (h, m) => events.message(h, m),
      (h, code, signal) => events.exit(h, { why: signal ? `killed by ${signal}` : `exited with code ${code}`, output: h.stderrTail }),
      { nodePath: this.nodePath, early },
    );
  }

  async close(): Promise<void> {}
}
