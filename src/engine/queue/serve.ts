// `nas-studio worker --queue URL`: a long-lived process on any machine that takes jobs from the queues of the
// runs its Redis serves, and trains each in a forked worker process (the same worker.ts a local run forks),
// relaying that process's messages to the run's stream and the orchestrator's decisions back to it.
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { BackendRequest, FromWorker, InitRequest, Ready, ToWorker } from '../../shared/protocol';
import { defaultWorkerEntry, WorkerHandle, type WorkerEntry } from '../pool';
import { confineDataset, fetchDataset } from './blobs';
import type { QueueTarget } from './connection';
import {
  decode,
  encode,
  ORPHAN_MS,
  PREFIX,
  PROGRESS_EVERY_MS,
  protocolMismatch,
  RUN_TTL_MS,
  RUNS_CHANNEL,
  RUNS_KEY,
  runKeys,
  WORKERS_KEY,
  type Assigned,
  type JobData,
  type RunKeys,
} from './wire';

export interface ServeOptions {
  target: QueueTarget;
  /** Trials at once (one forked process each). */
  concurrency: number;
  /** Overrides the run's backend choice on this machine. */
  backend?: BackendRequest;
  /** Dataset files arrive here, by content hash; nothing else is read. */
  dataDir: string;
  /** A job whose worker stops renewing its lock this long is retried elsewhere (BullMQ's stalled check). */
  stallSeconds: number;
  log(line: string): void;
  entry?: WorkerEntry;
}

/**
 * A forked training process and the init it was given. A spare (no init yet) is started ahead, so that a run's
 * first job waits only for its data to load, not for Node and TensorFlow.js to start.
 */
interface Child {
  handle: WorkerHandle;
  key?: string;
  busy: boolean;
  ready?: Promise<Ready['params']>;
  settle?: { ok: (r: Ready['params']) => void; fail: (e: Error) => void };
  /** It answered an init once: its exit is not a broken installation, and a spare takes its place. */
  served: boolean;
  /** The job it serves now, if any. */
  onMessage?: (m: FromWorker) => void;
  onExit?: (why: string) => void;
}

class InitFailed extends Error {}

/** How often a job's relay looks at its run's control keys (stop, cancel, the orchestrator's heartbeat). */
const CONTROL_MS = 1000;

export class QueueServer {
  private readonly redis: Redis;
  private subscriber?: Redis;
  private watching?: Promise<void>;
  private again = false;
  private readonly workers = new Map<string, Worker>();
  private readonly children = new Set<Child>();
  private readonly host = os.hostname();
  private readonly member: string;
  private free: number;
  private readonly waiters: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private closing = false;

  constructor(private readonly o: ServeOptions) {
    this.redis = new Redis(o.target.options);
    // Connection trouble shows as commands that wait through a Redis restart; the event adds nothing.
    this.redis.on('error', () => undefined);
    this.free = o.concurrency;
    this.member = JSON.stringify({ host: this.host, pid: process.pid, slots: o.concurrency });
  }

  async start(): Promise<void> {
    await this.redis.ping();
    await this.heartbeat();
    // A new run is served at once (its first job waits for this), the poll below catches what a message missed.
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', () => void this.watchRuns());
    await this.subscriber.subscribe(RUNS_CHANNEL);
    await this.watchRuns();
    this.spares();
    this.timers.push(setInterval(() => void this.heartbeat(), 5000));
    this.timers.push(setInterval(() => void this.watchRuns(), 1000));
    this.o.log(
      `serving ${this.o.target.shown} with ${this.o.concurrency} slot${this.o.concurrency === 1 ? '' : 's'} as ${this.host} (pid ${process.pid}); data in ${this.o.dataDir}`,
    );
  }

  /** Takes no new job, lets running ones finish (`now`: abandons them), and leaves. */
  async stop(now = false): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    if (now) for (const c of this.children) c.handle.kill();
    await Promise.all([...this.workers.values()].map((w) => w.close(now)));
    // A process still starting is killed: one whose channel closed while it loaded (under tsx) was seen to hang there.
    for (const c of this.children)
      if (c.served) c.handle.close();
      else c.handle.kill();
    await this.redis.zrem(WORKERS_KEY, this.member).catch(() => undefined);
    this.subscriber?.disconnect();
    this.redis.disconnect();
  }

  private async heartbeat() {
    try {
      await this.redis.zadd(WORKERS_KEY, Date.now(), this.member);
    } catch {
      // Redis is away: the next beat says we are here.
    }
  }

  /**
   * One look at a time (the poll and a new run's message may coincide: a look with an older list of runs must not
   * let go of the worker a newer one made); a call during a look asks for one more.
   */
  private watchRuns(): Promise<void> {
    if (this.watching) {
      this.again = true;
      return this.watching;
    }
    this.watching = (async () => {
      do {
        this.again = false;
        await this.lookAtRuns();
      } while (this.again && !this.closing);
    })().finally(() => (this.watching = undefined));
    return this.watching;
  }

  /** One BullMQ worker per run whose orchestrator is alive; a run that went away is let go once its jobs end. */
  private async lookAtRuns() {
    if (this.closing) return;
    let runs: string[];
    try {
      runs = await this.redis.zrangebyscore(RUNS_KEY, Date.now() - RUN_TTL_MS, '+inf');
    } catch {
      return;
    }
    for (const run of runs) {
      if (this.workers.has(run) || this.closing) continue;
      const keys = runKeys(run);
      const w = new Worker(keys.queue, (job: Job<JobData>) => this.take(run, keys, job), {
        connection: this.o.target.options as ConnectionOptions,
        prefix: PREFIX,
        concurrency: this.o.concurrency,
        maxStalledCount: 0,
        lockDuration: this.o.stallSeconds * 1000,
        stalledInterval: this.o.stallSeconds * 1000,
      });
      w.on('error', () => undefined);
      this.workers.set(run, w);
    }
    for (const [run, w] of this.workers) {
      if (runs.includes(run)) continue;
      this.workers.delete(run);
      void w.close();
    }
  }

  private async slot(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiters.push(r));
    return () => {
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    };
  }

  private async take(run: string, keys: RunKeys, job: Job<JobData>): Promise<string> {
    const post = (m: FromWorker | Assigned) => this.redis.xadd(keys.out, '*', 'job', job.id!, 'm', encode(m));
    // Before anything of the job is read: a job of another version may mean something else by any of it.
    const refused = protocolMismatch(job.data.protocol, this.host);
    if (refused) {
      this.o.log(`run ${run}: ${refused}`);
      if (job.data.kind !== 'probe') throw new Error(refused);
      await post({ method: 'init-failed', params: { error: refused } });
      return 'refused';
    }
    const release = await this.slot();
    try {
      // One round trip: whether the orchestrator cancelled the job meanwhile, and its messages.
      const [cancelled, payload] = await Promise.all([this.redis.exists(keys.cancel(job.id!)), this.redis.getBuffer(job.data.payloadKey)]);
      if (cancelled) return 'cancelled';
      if (!payload) throw new Error('its messages are gone from Redis (the run was closed)');
      const [init, request] = decode<[InitRequest, ToWorker?]>(payload);
      let child: Child;
      let ready: Ready['params'];
      try {
        ({ child, ready } = await this.child(init, job.data.names));
      } catch (e) {
        if (job.data.kind !== 'probe') throw e;
        await post({ method: 'init-failed', params: { error: `on ${this.host}: ${(e as Error).message}` } });
        return 'init-failed';
      }
      if (job.data.kind === 'probe' || !request) {
        await post({ method: 'ready', params: ready });
        child.busy = false;
        return 'ready';
      }
      return await this.relay(run, keys, job, child, ready, request, post);
    } finally {
      release();
    }
  }

  /** An idle process started with this init, or a spare given it, or a new one (an idle one for other data makes room). */
  private async child(init: InitRequest, names: Record<string, string>): Promise<{ child: Child; ready: Ready['params'] }> {
    if (init.params.backbone) throw new InitFailed('refused: a job asked for a backbone model file; workers read only dataset files sent through the queue');
    confineDataset(init.params.dataset);
    await fetchDataset(this.redis, init.params.dataset, this.o.dataDir, names);
    // The data folder is the only place a job's files are read from, whatever the message said.
    const params: InitRequest['params'] = { ...init.params, baseDir: this.o.dataDir, ...(this.o.backend ? { backend: this.o.backend } : {}) };
    const key = JSON.stringify(params);
    const idle = [...this.children].filter((x) => !x.busy);
    let c = idle.find((x) => x.key === key);
    let ready = c?.ready;
    if (!c || !ready) {
      c = idle.find((x) => x.key === undefined);
      if (!c) {
        if (this.children.size >= this.o.concurrency && idle.length) {
          idle[0].handle.close();
          this.children.delete(idle[0]);
        }
        c = this.fork();
      }
      ready = this.initialize(c, params, key);
    }
    c.busy = true;
    try {
      return { child: c, ready: await ready };
    } catch (e) {
      this.children.delete(c);
      throw e;
    }
  }

  /** Spares up to the slots: the processes a run's first jobs will use. */
  private spares() {
    while (!this.closing && this.children.size < this.o.concurrency) this.fork();
  }

  private fork(): Child {
    const c: Child = {
      busy: false,
      served: false,
      handle: new WorkerHandle(
        0,
        this.o.entry ?? defaultWorkerEntry(),
        (_h, m) => {
          if (m.method === 'ready') {
            c.served = true;
            c.settle?.ok(m.params);
          } else if (m.method === 'init-failed') c.settle?.fail(new InitFailed(m.params.error));
          else c.onMessage?.(m);
        },
        (h, code, signal) => {
          this.children.delete(c);
          const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          c.settle?.fail(new InitFailed(`the training process ${why} while starting: ${h.stderrTail.trim().split('\n').slice(-3).join(' | ')}`));
          c.onExit?.(why);
          // A process that trained and then ended (a cancelled trial is killed) is replaced ahead of the next job;
          // one that never started is not (a broken installation would fork forever): the next job forks and says why.
          if (c.served) this.spares();
        },
      ),
    };
    this.children.add(c);
    return c;
  }

  private initialize(c: Child, params: InitRequest['params'], key: string): Promise<Ready['params']> {
    c.key = key;
    c.ready = new Promise<Ready['params']>((ok, fail) => (c.settle = { ok, fail }));
    c.ready.catch(() => undefined);
    c.handle.send({ method: 'init', params });
    return c.ready;
  }

  /** Runs one train or evaluate request in `child`, relaying its messages, until its answer is posted. */
  private relay(
    run: string,
    keys: RunKeys,
    job: Job<JobData>,
    child: Child,
    ready: Ready['params'],
    request: ToWorker,
    post: (m: FromWorker | Assigned) => Promise<unknown>,
  ): Promise<string> {
    const id = job.id!;
    const pid = child.handle.pid ?? 0;
    const autoContinue = request.method === 'train' && request.params.alwaysContinue === true;
    const label = `run ${run}, ${job.data.kind === 'train' ? 'trial' : 'test score of trial'} ${job.data.trial}`;
    // Decisions wait on a connection of their own (BLPOP holds it); a trial whose epochs are answered here needs none.
    const blocking = autoContinue ? undefined : this.redis.duplicate();
    blocking?.on('error', () => undefined);
    let chain: Promise<unknown> = post({ method: 'assigned', params: { host: this.host, pid, backend: ready.backend } });
    if (job.data.kind === 'train') this.o.log(`${label}: training in pid ${pid}`);
    return new Promise<string>((resolve, reject) => {
      let done = false;
      let stopSent = false;
      const end = (err?: Error, value?: string) => {
        if (done) return;
        done = true;
        clearInterval(control);
        blocking?.disconnect();
        child.onMessage = undefined;
        child.onExit = undefined;
        child.busy = false;
        if (err) reject(err);
        else resolve(value ?? 'done');
      };
      const abandon = (why: string) => {
        child.handle.kill();
        this.o.log(`${label}: ${why}`);
        end(undefined, why);
      };
      // Between batches: the budget's stop, the orchestrator's cancel, the run gone altogether, or Redis gone for
      // longer than the job's lock lasts (then the queue has given the job up and retries it: training on is waste).
      // One look at a time: during an outage commands wait, and a look a second would pile up.
      let contact = Date.now();
      let looking = false;
      const control = setInterval(() => {
        // The last answer came at most one look before the outage began, and the lock was renewed before it too:
        // past this, the lock has surely expired.
        const silentMs = Date.now() - contact;
        if (silentMs > this.o.stallSeconds * 1000 + 2 * CONTROL_MS) {
          return abandon(`abandoned: Redis has not answered for ${Math.round(silentMs / 1000)} s, longer than --stall-seconds; the queue retries it`);
        }
        if (looking) return;
        looking = true;
        void (async () => {
          const [stop, cancel] = await this.redis.mget(keys.stop, keys.cancel(id));
          const alive = await this.redis.zscore(RUNS_KEY, run);
          contact = Date.now();
          if (cancel || alive === null) return abandon(cancel ? 'cancelled by the orchestrator' : 'the run was closed');
          if (Date.now() - Number(alive) > ORPHAN_MS) {
            child.handle.kill();
            this.o.log(`${label}: given up, its orchestrator has been gone for ${ORPHAN_MS / 60_000} minutes`);
            return end(new Error(`was given up on ${this.host}: the orchestrator was gone for ${ORPHAN_MS / 60_000} minutes`));
          }
          if (stop && !stopSent) {
            stopSent = true;
            child.handle.send({ method: 'stop' });
          }
        })()
          .catch(() => undefined)
          .finally(() => (looking = false));
      }, CONTROL_MS);
      child.onExit = (why) => end(new Error(`on ${this.host} (pid ${pid}) ${why}`));
      let progressAt = 0;
      child.onMessage = (m) => {
        if (m.method === 'progress') {
          if (Date.now() - progressAt < PROGRESS_EVERY_MS) return;
          progressAt = Date.now();
        }
        chain = chain.then(() => post(m));
        // A pruner that never prunes (the request says so): the epoch is answered here, not after a round trip.
        if (m.method === 'epoch' && autoContinue)
          child.handle.send({ method: 'decision', params: { trial: m.params.trial, epoch: m.params.epoch, decision: 'continue' } });
        else if (m.method === 'epoch' && blocking) {
          chain = chain.then(async () => {
            const d = await this.decision(blocking, keys.decision(id, m.params.epoch), () => done);
            if (d) child.handle.send(d);
          });
        }
        if (m.method === 'result' || m.method === 'evaluation') {
          const what = m.method === 'result' ? `${m.params.status}${m.params.value !== undefined ? ` (${m.params.value.toFixed(4)})` : ''}` : 'scored';
          chain.then(
            () => {
              if (job.data.kind === 'train') this.o.log(`${label}: ${what}`);
              end(undefined, m.method);
            },
            (e: Error) => end(e),
          );
        }
        chain = chain.catch((e: Error) => end(e));
      };
      child.handle.send(request);
    });
  }

  /** Waits for the orchestrator's decision on an epoch (it may be away for a while: a resume brings it back). */
  private async decision(blocking: Redis, key: string, over: () => boolean): Promise<ToWorker | undefined> {
    while (!over()) {
      const r = await blocking.blpopBuffer(key, 1);
      if (r) return decode<ToWorker>(r[1]);
    }
    return undefined;
  }
}

/** The data folder a worker uses unless told: beside where it runs, never shared with a run's own files. */
export function defaultDataDir(cwd = process.cwd()): string {
  return path.join(cwd, 'nas-studio-data');
}
