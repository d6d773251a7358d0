// Trials through BullMQ on a real redis-server: `nas-studio worker` processes in their own temporary folders
// (they share no path with the run) train a search whose CSV dataset reaches them by content hash; the journal
// says which worker trained each trial; a worker refuses a job that names a file outside its data folder, or one
// of another queue protocol version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import Redis from 'ioredis';
import { EXIT } from '../../src/shared/cli';
import type { NasSpec } from '../../src/shared/spec';
import { readJournal } from '../../src/core/journal';
import { readMeta, runPaths } from '../../src/core/rundir';
import { RunState } from '../../src/core/runstate';
import { confineDataset, ConfinementError } from '../../src/engine/queue/blobs';
import { parseQueueUrl } from '../../src/engine/queue/connection';
import { decode, PREFIX, protocolMismatch, QUEUE_PROTOCOL, RUNS_CHANNEL, RUNS_KEY, runKeys, type JobData } from '../../src/engine/queue/wire';
import type { FromWorker } from '../../src/shared/protocol';
import { cli } from '../helpers/cli';
import { blobs } from '../helpers/data';
import { redisMissing, TestRedis, TestWorker } from '../helpers/redis';

const skip = redisMissing();

function csvWorkspace(dir: string, trials: number): { file: string; csv: string } {
  fs.mkdirSync(dir, { recursive: true });
  const { x, y } = blobs(240, 7);
  const rows = x.map((r, i) => [...r.map((v) => v.toFixed(4)), y[i].indexOf(1)].join(','));
  const csv = path.join(dir, 'blobs.csv');
  fs.writeFileSync(csv, ['a,b,c,d,label', ...rows].join('\n') + '\n');
  const spec: NasSpec = {
    name: 'queue-blobs',
    dataset: { source: 'csv', path: 'blobs.csv', label: 'label', test: { fraction: 0.2 } },
    architecture: { type: 'sequential', layers: [{ type: 'dense', units: { choice: [4, 8, 16] } }] },
    training: { learningRate: 0.02, batchSize: 32, epochs: { int: [1, 3] } },
    search: { strategy: 'random', budget: { trials }, parallel: 2, seed: 3, keepTop: 2 },
  } as NasSpec;
  const file = path.join(dir, 'blobs.nas.json');
  fs.writeFileSync(file, JSON.stringify(spec, null, 2));
  return { file, csv };
}

test('a search runs on two queue workers that share no folder with it', { skip, timeout: 180_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-e2e-'));
  const redis = await TestRedis.start(path.join(tmp, 'redis'));
  const workers = [new TestWorker(path.join(tmp, 'w1'), redis.url), new TestWorker(path.join(tmp, 'w2'), redis.url, ['--concurrency', '1'])];
  try {
    await Promise.all(workers.map((w) => w.waitFor(/serving redis:/)));
    const ws = csvWorkspace(path.join(tmp, 'orchestrator'), 6);
    // Trials long enough (seconds, not milliseconds) that the second worker is up before the first has run them all.
    const spec = JSON.parse(fs.readFileSync(ws.file, 'utf8')) as NasSpec;
    spec.training = { ...spec.training, epochs: 40 };
    fs.writeFileSync(ws.file, JSON.stringify(spec, null, 2));
    const runDir = path.join(tmp, 'orchestrator', 'run');
    const r = await cli('run', ws.file, '--json', '--run-dir', runDir, '--queue', redis.url);
    assert.equal(r.code, EXIT.ok, r.err + r.out);
    const events = readJournal(runPaths(runDir).journal).events;
    const state = RunState.from(events);
    assert.equal(state.counts().completed, 6, r.err);
    // Every trial was taken by a worker, which the journal names; both workers served.
    const assigned = events.filter((e) => e.type === 'trial-assigned');
    assert.deepEqual(new Set(assigned.map((e) => e.trial)), new Set([0, 1, 2, 3, 4, 5]));
    assert.ok(assigned.every((e) => e.type === 'trial-assigned' && e.host === os.hostname() && e.pid > 0));
    // A trial's start names no pid: the previous job of its slot ran on whichever worker took that one.
    assert.deepEqual(
      events.filter((e) => e.type === 'trial-started' && e.pid !== undefined),
      [],
    );
    const served = workers.filter((w) => /training in pid/.test(w.output));
    assert.equal(served.length, 2, `both workers trained:\n${workers.map((w) => w.output).join('\n---\n')}`);
    assert.ok(events.some((e) => e.type === 'workers' && e.connected === 2 && e.slots === 2));
    // The kept trials' weights came back, and their test-set scores (the end-of-run jobs).
    const kept = state.ranked().slice(0, 2);
    for (const t of kept) {
      assert.ok(fs.existsSync(path.join(runDir, 'trials', String(t.trial).padStart(4, '0'), 'weights.bin')), `weights of trial ${t.trial}`);
      assert.ok(t.test && typeof t.test.accuracy === 'number' && t.test.samples > 0, `test score of trial ${t.trial}: ${JSON.stringify(t.test)}`);
    }
    // The dataset reached each worker that trained once, by content hash, in its own data folder.
    const sha = createHash('sha256').update(fs.readFileSync(ws.csv)).digest('hex');
    for (const w of served) assert.deepEqual(fs.readdirSync(path.join(w.dir, 'nas-studio-data')), [`${sha}.csv`]);
    assert.equal(readMeta(runDir)?.options?.queue, redis.url);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.down();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a pruner that prunes gets its decisions to the worker through Redis, and they prune', { skip, timeout: 180_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-prune-'));
  const redis = await TestRedis.start(path.join(tmp, 'redis'));
  const worker = new TestWorker(path.join(tmp, 'w1'), redis.url, ['--concurrency', '1']);
  try {
    await worker.waitFor(/serving redis:/);
    const ws = csvWorkspace(path.join(tmp, 'orchestrator'), 6);
    // One trial at a time, learning rates far apart: a trial with the tiny one is still at chance after its first
    // epoch, below the median of the good ones before it, whatever the machine's speed.
    const spec = JSON.parse(fs.readFileSync(ws.file, 'utf8')) as NasSpec;
    spec.training = { batchSize: 32, epochs: 4, learningRate: { choice: [0.00001, 0.05] } };
    spec.search = { ...spec.search, parallel: 1, pruner: { type: 'median', warmupEpochs: 0, minTrials: 1 } };
    fs.writeFileSync(ws.file, JSON.stringify(spec, null, 2));
    const runDir = path.join(tmp, 'orchestrator', 'run');
    const r = await cli('run', ws.file, '--json', '--run-dir', runDir, '--queue', redis.url);
    assert.equal(r.code, EXIT.ok, r.err + r.out);
    const state = RunState.from(readJournal(runPaths(runDir).journal).events);
    const trials = [...state.trials.values()];
    assert.equal(trials.length, 6);
    // Without a decision through Redis a worker never prunes: every trial would have run its 4 epochs.
    const pruned = trials.filter((t) => t.status === 'pruned');
    assert.ok(pruned.length > 0, JSON.stringify(trials.map((t) => [t.config.training.learningRate, t.status, t.history.length])));
    assert.ok(pruned.every((t) => t.history.length < 4));
  } finally {
    await worker.stop();
    await redis.down();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('an unreachable queue is refused before anything runs', { skip, timeout: 60_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-down-'));
  const ws = csvWorkspace(tmp, 1);
  // Port 1 on loopback: nothing listens there.
  const r = await cli('run', ws.file, '--json', '--queue', 'redis://127.0.0.1:1');
  assert.equal(r.code, EXIT.failed);
  assert.match(r.lines.at(-1) ?? '', /"kind":"unreachable"/);
  const bad = await cli('run', ws.file, '--queue', 'http://example.org');
  assert.equal(bad.code, EXIT.usage);
  // The spec's search.queue is used when the command line names none.
  const spec = JSON.parse(fs.readFileSync(ws.file, 'utf8')) as NasSpec;
  fs.writeFileSync(ws.file, JSON.stringify({ ...spec, search: { ...spec.search, queue: 'redis://127.0.0.1:1' } }));
  const fromSpec = await cli('run', ws.file, '--json');
  assert.equal(fromSpec.code, EXIT.failed, fromSpec.err);
  assert.match(fromSpec.lines.at(-1) ?? '', /"kind":"unreachable"/);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a job naming a file outside the data folder is refused; URLs carry passwords and TLS', () => {
  assert.deepEqual(confineDataset({ source: 'csv', path: `${'a'.repeat(64)}.csv` }), [`${'a'.repeat(64)}.csv`]);
  for (const p of ['/etc/passwd', '../x.csv', 'data.csv', `${'a'.repeat(64)}/../../x`]) {
    assert.throws(() => confineDataset({ source: 'csv', path: p }), ConfinementError, p);
  }
  assert.throws(() => confineDataset({ source: 'idx', images: `${'b'.repeat(64)}`, labels: 'labels.idx' }), ConfinementError);
  assert.throws(() => confineDataset({ source: 'csv', path: `${'a'.repeat(64)}.csv`, test: { path: '/secret.csv' } } as never), ConfinementError);
  const t = parseQueueUrl('rediss://:s%40cret@cache.example:6380/2', {});
  assert.equal(t.options.password, 's@cret');
  assert.equal(t.options.db, 2);
  assert.ok(t.options.tls);
  assert.equal(t.shown, 'rediss://cache.example:6380/2');
  assert.equal(parseQueueUrl('redis://h', { REDIS_PASSWORD: 'p' }).options.password, 'p');
  assert.equal(parseQueueUrl('redis://h', {}).options.tls, undefined);
});

test('a worker refuses a job of another queue protocol, and says which side to update', { skip, timeout: 90_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-protocol-'));
  const redis = await TestRedis.start(path.join(tmp, 'redis'));
  const worker = new TestWorker(path.join(tmp, 'w'), redis.url);
  const conn = new Redis(redis.url);
  // A run registered as a newer orchestrator would, whose first job (its probe) speaks the next protocol.
  const run = 'from-a-newer-orchestrator';
  const keys = runKeys(run);
  const queue = new Queue(keys.queue, { connection: parseQueueUrl(redis.url).options as ConnectionOptions, prefix: PREFIX });
  try {
    await worker.waitFor(/serving redis:/);
    await conn.zadd(RUNS_KEY, Date.now(), run);
    await conn.publish(RUNS_CHANNEL, run);
    const data: JobData = { protocol: QUEUE_PROTOCOL + 1, kind: 'probe', payloadKey: keys.payload('p1'), names: {} };
    await queue.add('probe', data, { jobId: 'p1' });
    const res = (await conn.xreadBuffer('COUNT', 1, 'BLOCK', 60_000, 'STREAMS', keys.out, '0-0')) as [Buffer, [Buffer, Buffer[]][]][] | null;
    assert.ok(res, `no answer from the worker: ${worker.output}`);
    const fields = res[0][1][0][1];
    const m = decode<FromWorker>(fields[fields.findIndex((f) => f.toString() === 'm') + 1]);
    assert.equal(m.method, 'init-failed');
    const why = `the job is of queue protocol ${QUEUE_PROTOCOL + 1}, this worker speaks ${QUEUE_PROTOCOL}; update nas-studio on ${os.hostname()}`;
    assert.ok(m.method === 'init-failed' && m.params.error.includes(why), JSON.stringify(m));
    assert.ok(worker.output.includes(why), worker.output);
    // An older orchestrator's job is refused the other way round.
    assert.match(protocolMismatch(QUEUE_PROTOCOL - 1, 'h') ?? '', /update the orchestrator's nas-studio/);
    // A job without a version is of version 1 (the orchestrators before versions).
    assert.equal(protocolMismatch(undefined, 'h'), protocolMismatch(1, 'h'));
    // Stopped at once, while its spare training process may still be loading: it leaves no process behind.
    const kids = fs.existsSync('/proc')
      ? fs.readFileSync(`/proc/${worker.proc.pid}/task/${worker.proc.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
      : [];
    await worker.stop();
    const alive = () => kids.filter((p) => fs.existsSync(`/proc/${p}`) && !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${p}/stat`, 'utf8')));
    for (let i = 0; i < 100 && alive().length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(alive(), [], 'the stopped worker left its training processes running');
  } finally {
    await queue.close();
    conn.disconnect();
    await worker.stop();
    await redis.down();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
