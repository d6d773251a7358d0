// The orchestrator's side of a queue run: every trial (and every test-set scoring) becomes a BullMQ job in the
// run's own queue, served by `nas-studio worker` processes on any machine (serve.ts). Their messages come back
// on a Redis stream; pruning decisions go to each job's own list, where its worker waits for them. A link is
// a slot of the run's parallelism, not a process: whichever worker takes a job trains it.
import * as path from 'node:path';
import { Queue } from 'bullmq';
import Redis, { type ChainableCommander } from 'ioredis';
import type { FromWorker, InitRequest, ToWorker } from '../../shared/protocol';
import type { Launch, LinkEvents, WorkerExit, WorkerLink, WorkerTransport } from '../transport';
import { shipDataset } from './blobs';
import type { QueueTarget } from './connection';
import {
  decode,
  encode,
  PREFIX,
  QUEUE_PROTOCOL,
  RUNS_CHANNEL,
  RUNS_KEY,
  runKeys,
  safeRunId,
  WORKER_TTL_MS,
  WORKERS_KEY,
  type Assigned,
  type JobData,
  type RunKeys,
} from './wire';

/** How often the transport looks at its workers and at the jobs it waits for. */
const POLL_MS = 2000;
/** A run with no worker after this long says how to start one. */
const NO_WORKER_HINT_MS = 10_000;
const STALLED = 'job stalled more than allowable limit';

type Answer = { method: 'ready' | 'init-failed'; params: unknown };

export class QueueLink implements WorkerLink {
  pid?: number;
  trial?: number;
  ready = false;
  exited = false;
  /** The job it waits for, if any. */
  job?: string;
  /** Stream entries of the current job: removed once its end is journaled. */
  entries: string[] = [];
  /** Its job is in the queue (added, or found there by a resume). */
  queued = false;
  /** Polls that found its job missing from the queue. */
  missing = 0;
  /** Its trial's worker answers epochs itself (TrainRequest.alwaysContinue): no decision goes through Redis. */
  autoContinue = false;
  private held: FromWorker[] = [];

  constructor(
    readonly id: number,
    private readonly transport: QueueTransport,
    private readonly events: LinkEvents,
  ) {}

  send(m: ToWorker): void {
    if (!this.exited) this.transport.handle(this, m);
  }

  /** Messages reach the orchestrator only after `ready`, as from a forked worker. */
  deliver(m: FromWorker): void {
    if (this.exited) return;
    if (!this.ready && m.method !== 'ready' && m.method !== 'init-failed') {
      this.held.push(m);
      return;
    }
    if (m.method === 'ready') this.ready = true;
    this.events.message(this, m);
    if (m.method === 'ready') for (const h of this.held.splice(0)) this.deliver(h);
  }

  lost(e: WorkerExit): void {
    if (this.exited) return;
    this.exited = true;
    this.events.exit(this, e);
  }

  kill(): void {
    if (this.exited) return;
    this.transport.cancel(this);
    setImmediate(() => this.lost({ why: 'was stopped by the orchestrator', output: '' }));
  }

  close(): void {
    this.exited = true;
  }
}

export class QueueTransport implements WorkerTransport {
  readonly name: string;
  private readonly redis: Redis;
  private reader?: Redis;
  private queue?: Queue;
  private keys!: RunKeys;
  private runId = '';
  private launch?: Launch;
  private readonly links = new Set<QueueLink>();
  private readonly byJob = new Map<string, QueueLink>();
  private probe?: { answer?: Answer };
  private readonly probes = new Set<string>();
  private shipped?: Promise<{ init: InitRequest; names: Record<string, string> }>;
  private readonly known = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  private workersSeen = '';
  private slots = 0;
  private startedAt = Date.now();
  private hinted = false;
  private jobCount = 0;

  constructor(private readonly target: QueueTarget) {
    this.name = target.shown;
    this.redis = new Redis({ ...target.options, lazyConnect: true });
    // Connection trouble shows as commands that wait (or fail, where it matters); the event adds nothing.
    this.redis.on('error', () => undefined);
  }

  /** Connects and counts the workers serving this Redis; fails within `timeoutMs` when it cannot be reached. */
  async connect(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from ${this.name} within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      await Promise.race([this.redis.connect().then(() => this.redis.ping()), timeout]);
    } catch (e) {
      this.redis.disconnect();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    this.slots = (await this.liveWorkers()).slots;
  }

  autoParallel(): number {
    // The slots of the workers connected now; with none yet, a modest number of jobs wait for them.
    return this.slots || 4;
  }

  async start(launch: Launch): Promise<WorkerLink[]> {
    this.launch = launch;
    this.runId = safeRunId(path.basename(launch.runDir));
    this.keys = runKeys(this.runId);
    // The queue shares the transport's connection: a job's payload (written first) and the job itself then reach
    // Redis in order on one socket, so a job is added without waiting for its payload's reply.
    this.queue = new Queue(this.keys.queue, { connection: this.redis, prefix: PREFIX });
    this.reader = this.redis.duplicate();
    this.reader.on('error', () => undefined);
    // A resumed run gets its time again: the last launch's "time is up" does not hold.
    await this.redis.del(this.keys.stop);
    await this.redis.zadd(RUNS_KEY, Date.now(), this.runId);
    await this.redis.publish(RUNS_CHANNEL, this.runId);
    // The first launch's probe answer: re-attached trials may hold every worker slot, so a new probe could wait forever.
    const cached = await this.redis.getBuffer(this.keys.ready);
    if (cached) this.probe = { answer: decode<Answer>(cached) };
    const attached: QueueLink[] = [];
    const jobs = await this.redis.hgetall(this.keys.jobs);
    for (const trial of launch.unfinished) {
      const job = jobs[String(trial)];
      if (!job || (await this.queue.getJobState(job)) === 'unknown') continue;
      const link = new QueueLink(launch.newId(), this, launch.events);
      link.trial = trial;
      link.job = job;
      link.queued = true;
      this.links.add(link);
      this.byJob.set(job, link);
      attached.push(link);
    }
    if (attached.length)
      launch.note(
        'info',
        `re-attached to ${attached.length} trial${attached.length === 1 ? '' : 's'} still in the queue: ${attached.map((l) => l.trial).join(', ')}`,
      );
    this.startedAt = Date.now();
    void this.readLoop();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    void this.poll();
    return attached;
  }

  open(id: number, events: LinkEvents): WorkerLink {
    const link = new QueueLink(id, this, events);
    this.links.add(link);
    return link;
  }

  /** A message from the orchestrator to a link. */
  handle(link: QueueLink, m: ToWorker): void {
    switch (m.method) {
      case 'init':
        this.ensureProbe(m);
        if (this.probe?.answer) this.answer(link, this.probe.answer);
        break;
      case 'train':
        link.autoContinue = m.params.alwaysContinue === true;
        void this.submit(link, 'train', m, m.params.trial);
        break;
      case 'evaluate':
        void this.submit(link, 'evaluate', m, m.params.trial);
        break;
      case 'decision':
        // The worker answered `continue` itself (alwaysContinue): nobody waits on this list.
        if (link.job && !link.autoContinue) void this.push(this.keys.decision(link.job, m.params.epoch), encode(m));
        break;
      case 'stop':
        void this.redis.set(this.keys.stop, '1').catch(() => undefined);
        break;
    }
  }

  /** Abandons the link's job: its worker sees the cancel key between batches and drops it. */
  cancel(link: QueueLink): void {
    if (!link.job) return;
    this.byJob.delete(link.job);
    void this.redis.set(this.keys.cancel(link.job), '1', 'EX', 3600).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.launch) {
      this.redis.disconnect();
      return;
    }
    try {
      // Workers see the run leave and drop whatever they still hold of it.
      await this.redis.zrem(RUNS_KEY, this.runId);
      await this.queue?.obliterate({ force: true });
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.keys.base}:*`, 'COUNT', 500);
        if (keys.length) await this.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch (e) {
      this.launch?.note('warn', `the run's keys in ${this.name} were not all removed: ${(e as Error).message}`);
    }
    await this.queue?.close();
    this.reader?.disconnect();
    this.redis.disconnect();
  }

  // ---- the probe: one worker loads the data once, so the run knows its shapes and backend before any trial ----

  /**
   * Each link's `init` sends a probe (until one answers): the workers that take them load the data at the same
   * time, as forked workers do, instead of one after the other as their first trials arrive.
   */
  private ensureProbe(init: InitRequest) {
    if (init.params.backbone) {
      this.probe = {
        answer: { method: 'init-failed', params: { error: 'training.backbone is not available with --queue yet: run this search without a queue' } },
      };
      return;
    }
    if (!this.shipped) {
      this.shipped = shipDataset(this.redis, init.params.dataset, init.params.baseDir, this.known).then((s) => ({
        init: { method: 'init', params: { ...init.params, dataset: s.dataset, baseDir: '.' } },
        names: s.names,
      }));
      this.shipped.catch((e: Error) =>
        this.onProbe({ method: 'init-failed', params: { error: `the dataset could not be sent through the queue: ${e.message}` } }),
      );
    }
    // A resume has the first launch's answer already (see start).
    if (this.probe?.answer) return;
    this.probe ??= {};
    const job = `probe-${Date.now().toString(36)}${(this.jobCount++).toString(36)}`;
    this.probes.add(job);
    void this.submit(undefined, 'probe', undefined, undefined, job);
  }

  private onProbe(m: Answer) {
    if (!this.probe || this.probe.answer) return;
    this.probe.answer = m;
    if (m.method === 'ready') void this.redis.set(this.keys.ready, encode(m)).catch(() => undefined);
    for (const l of this.links) if (!l.ready && !l.exited) this.answer(l, m);
  }

  private answer(link: QueueLink, m: Answer) {
    setImmediate(() => link.deliver(m as FromWorker));
  }

  // ---- jobs ----

  private async submit(link: QueueLink | undefined, kind: JobData['kind'], m: ToWorker | undefined, trial: number | undefined, id?: string) {
    const job = id ?? `${kind === 'train' ? 't' : 'e'}${trial}-${Date.now().toString(36)}${(this.jobCount++).toString(36)}`;
    if (link) {
      link.job = job;
      link.entries = [];
      link.queued = false;
      link.missing = 0;
      this.byJob.set(job, link);
    }
    try {
      const { init, names } = await this.shipped!;
      const payloadKey = this.keys.payload(job);
      // The payload before the job, on the same connection (see start): Redis runs them in this order, and one
      // transaction is one append-only-file sync (`appendfsync always`) where two commands were two.
      const tx = this.redis.multi().set(payloadKey, encode(m ? [init, m] : [init]));
      if (kind === 'train') tx.hset(this.keys.jobs, String(trial), job);
      const data: JobData = { protocol: QUEUE_PROTOCOL, kind, payloadKey, names, ...(trial !== undefined ? { trial } : {}) };
      await Promise.all([
        execOrThrow(tx),
        this.queue!.add(kind, data, {
          jobId: job,
          // The orchestrator decides about retries (search.retries): BullMQ fails a job once, and says why.
          attempts: 1,
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 24 * 3600 },
        }),
      ]);
      if (link && link.job === job) link.queued = true;
    } catch (e) {
      if (this.closed) return;
      if (link) link.lost({ why: `could not be queued (${(e as Error).message})`, output: '' });
      else this.launch?.note('error', `the first job could not be queued: ${(e as Error).message}`);
    }
  }

  private async push(key: string, value: Buffer) {
    try {
      await execOrThrow(this.redis.multi().rpush(key, value).expire(key, 3600));
    } catch (e) {
      if (!this.closed) this.launch?.note('warn', `a pruning decision did not reach the queue: ${(e as Error).message}`);
    }
  }

  /** Workers' messages, in order, from the start of the run's stream (a resume replays what it missed). */
  private async readLoop() {
    let last = '0-0';
    while (!this.closed) {
      let res: [Buffer, [Buffer, Buffer[]][]][] | null;
      try {
        res = (await this.reader!.xreadBuffer('COUNT', 64, 'BLOCK', 1000, 'STREAMS', this.keys.out, last)) as typeof res;
      } catch {
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const [, entries] of res ?? []) {
        for (const [id, fields] of entries) {
          last = id.toString();
          this.route(last, fields);
        }
      }
    }
  }

  private route(entry: string, fields: Buffer[]) {
    const f: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i].toString()] = fields[i + 1];
    const job = f.job?.toString();
    if (!job || !f.m) return;
    let m: FromWorker | Assigned;
    try {
      m = decode<FromWorker | Assigned>(f.m);
    } catch {
      return;
    }
    if (this.probes.has(job)) {
      if (m.method === 'ready' || m.method === 'init-failed') this.onProbe(m);
      void this.redis.xdel(this.keys.out, entry).catch(() => undefined);
      return;
    }
    const link = this.byJob.get(job);
    if (!link || link.exited) return;
    link.entries.push(entry);
    if (m.method === 'assigned') {
      link.pid = m.params.pid;
      if (link.trial !== undefined && job.startsWith('t')) {
        this.launch?.report({
          type: 'trial-assigned',
          time: new Date().toISOString(),
          trial: link.trial,
          host: m.params.host,
          pid: m.params.pid,
          ...(m.params.backend ? { backend: m.params.backend } : {}),
        });
      }
      return;
    }
    const end = m.method === 'result' || m.method === 'evaluation';
    // The orchestrator starts the link's next trial while taking this result, and that trial goes to whichever
    // worker takes it: its trial-started must not name this job's pid.
    if (end) link.pid = undefined;
    link.deliver(m);
    if (end) this.finished(link, job);
  }

  /** The job's end is journaled: nothing of it needs to stay in Redis. */
  private finished(link: QueueLink, job: string) {
    this.byJob.delete(job);
    if (link.job === job) link.job = undefined;
    const entries = link.entries.splice(0);
    const k = this.keys;
    // One transaction: with `appendfsync always` each separate write costs Redis a disk flush, during which a
    // worker's next job waits.
    const tx = this.redis.multi().del(k.payload(job));
    if (entries.length) tx.xdel(k.out, ...entries);
    if (job.startsWith('t'))
      tx.eval("if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('hdel', KEYS[1], ARGV[1]) end", 1, k.jobs, String(link.trial ?? ''), job);
    void tx.exec().catch(() => undefined);
  }

  // ---- the poll: connected workers, jobs that failed or vanished, the run's heartbeat ----

  private async liveWorkers(): Promise<{ connected: number; slots: number; hosts: string[] }> {
    const members = await this.redis.zrangebyscore(WORKERS_KEY, Date.now() - WORKER_TTL_MS, '+inf');
    let slots = 0;
    const hosts: string[] = [];
    for (const raw of members) {
      try {
        const w = JSON.parse(raw) as { host: string; pid: number; slots: number };
        slots += w.slots;
        hosts.push(`${w.host} (pid ${w.pid})`);
      } catch {
        /* not ours */
      }
    }
    return { connected: hosts.length, slots, hosts };
  }

  private async poll() {
    if (this.closed || !this.launch) return;
    try {
      await this.redis.zadd(RUNS_KEY, Date.now(), this.runId);
      const w = await this.liveWorkers();
      const seen = `${w.connected}/${w.slots}`;
      if (seen !== this.workersSeen) {
        this.workersSeen = seen;
        this.launch.report({ type: 'workers', time: new Date().toISOString(), connected: w.connected, slots: w.slots });
      }
      if (!w.connected && !this.hinted && Date.now() - this.startedAt > NO_WORKER_HINT_MS) {
        this.hinted = true;
        this.launch.note('warn', `no worker serves ${this.name} yet: start one with \`nas-studio worker --queue ${this.name}\` (docs/DEPLOY.md)`);
      }
      for (const link of [...this.byJob.values()]) await this.check(link);
    } catch {
      // Redis is away (a restart): the next poll looks again.
    }
  }

  /** A job that failed (its worker crashed or was killed) or vanished ends its link: the orchestrator retries the trial. */
  private async check(link: QueueLink) {
    const job = link.job;
    if (!job || link.exited || !link.queued || !this.queue) return;
    const state = await this.queue.getJobState(job);
    if (state === 'failed') {
      const reason = (await this.queue.getJob(job))?.failedReason ?? 'failed';
      if (link.job !== job) return;
      this.byJob.delete(job);
      link.job = undefined;
      const why = reason.includes(STALLED) ? 'was lost: the nas-studio worker holding it stopped answering (killed, or cut off from Redis)' : reason;
      link.lost({ why, output: '' });
    } else if (state === 'unknown') {
      // Removed from the queue (Redis lost it, or someone cleaned up): three polls in a row means gone.
      if (++link.missing >= 3 && link.job === job) {
        this.byJob.delete(job);
        link.job = undefined;
        link.lost({ why: 'was lost: its job left the queue without a result', output: '' });
      }
    } else link.missing = 0;
  }
}

/** A transaction's result, or the error of its first failed command (`exec` reports those per command, not thrown). */
async function execOrThrow(tx: ChainableCommander): Promise<void> {
  const res = await tx.exec();
  if (!res) throw new Error('the transaction was aborted');
  for (const [err] of res) if (err) throw err;
}
